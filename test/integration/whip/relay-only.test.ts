/**
 * --relay-only through a real TURN server: coturn on loopback (apt-get install coturn; CI installs it), started
 * here with a temporary configuration. The publisher gathers relay candidates only, exactly what a guest behind a
 * strict NAT experiences, and the stand-in is reached through the relay. (When issue 3's coturn harness lands in
 * src/sim/lab/coturn.ts this test can use it instead of its own small launcher.)
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {createSocket} from 'node:dgram'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type MediamtxStandin, startMediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import {probeWhip} from '../../../src/whip/probe.js'

let standin: MediamtxStandin
let turn: ChildProcess | undefined
let port = 0

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const {port: p} = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return p
}

beforeAll(async () => {
  expect(spawnSync('sh', ['-c', 'command -v turnserver']).status, 'apt-get install coturn').toBe(0)
  port = await freeUdpPort()
  const relayBase = 40000 + (port % 20000)
  turn = spawn(
    'turnserver',
    [
      '-n',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + 50}`,
      '--allow-loopback-peers',
      '--no-multicast-peers',
      '--lt-cred-mech',
      '--user=guest:secret',
      '--realm=r58.test',
      '--log-file=stdout',
    ],
    {stdio: ['ignore', 'pipe', 'pipe']},
  )
  let output = ''
  turn.stdout?.on('data', (chunk) => {
    output += chunk
  })
  const deadline = Date.now() + 10_000
  while (!/listener opened on|Total General servers/.test(output) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  standin = await startMediamtxStandin({
    configText: 'webrtcLocalUDPAddress: :8189\npaths:\n  all_others:\n',
    whipPort: 0,
    interfaces: [
      {name: 'lo', address: '127.0.0.1'},
      {name: 'eth0', address: '192.168.1.58'},
    ],
  })
})

afterAll(async () => {
  await standin?.close()
  if (turn?.pid !== undefined && turn.exitCode === null) {
    const exited = new Promise((resolve) => turn?.once('exit', resolve))
    turn.kill('SIGTERM')
    await exited
  }
})

describe('--relay-only through coturn on loopback', () => {
  it('publishes through the TURN relay: only relay candidates, selected pair relay', async () => {
    const report = await probeWhip({
      url: standin.endpoint('cam'),
      via: ['this-host'],
      relayOnly: true,
      iceServers: [{urls: `turn:127.0.0.1:${port}?transport=udp`}],
      iceUsername: 'guest',
      iceCredential: 'secret',
      durationMs: 500,
      timeoutMs: 5000,
    })
    expect(report.checks.find((c) => c.id === 'whip.ice')?.status, JSON.stringify(report.checks, null, 1)).toBe('pass')
    expect(report.selectedPair?.local.type).toBe('relay')
    expect(report.timeline.find((t) => t.event === 'offer')?.detail).toMatch(/relay 127\.0\.0\.1:\d+/)
    expect(report.timeline.find((t) => t.event === 'offer')?.detail).not.toMatch(/host /)
    expect(report.iceServers.relay).toBe(`turn:127.0.0.1:${port}?transport=udp`)
    expect(report.exitCode).toBe(0)
  })

  it('says which TURN transport carried the media (TURN/TCP here)', async () => {
    const report = await probeWhip({
      url: standin.endpoint('cam'),
      via: ['this-host'],
      relayOnly: true,
      iceServers: [{urls: `turn:127.0.0.1:${port}?transport=tcp`, username: 'guest', credential: 'secret'}],
      durationMs: 300,
      timeoutMs: 5000,
    })
    expect(report.selectedPair?.local).toMatchObject({type: 'relay', relayProtocol: 'tcp'})
    expect(report.checks.find((c) => c.id === 'whip.ice')?.evidence).toMatch(/^connected through TURN\/TCP: relay /)
    expect(report.exitCode).toBe(0)
  })

  it('wrong TURN credentials: the allocation never finishes (werift drops the 401), nothing is POSTed', async () => {
    const report = await probeWhip({
      url: standin.endpoint('cam'),
      via: ['this-host'],
      relayOnly: true,
      iceServers: [{urls: `turn:127.0.0.1:${port}?transport=udp`, username: 'guest', credential: 'wrong'}],
      timeoutMs: 500,
    })
    expect(report.exitCode).toBe(4)
    expect(report.checks.find((c) => c.id === 'whip.post')?.evidence).toContain(
      `the TURN allocation on turn:127.0.0.1:${port}?transport=udp did not finish`,
    )
    expect(report.server.id).toBeNull()
    expect(standin.sessions()).toEqual([])
  })
})
