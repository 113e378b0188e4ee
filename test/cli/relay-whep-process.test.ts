/**
 * `r58 relay start` as a real process in each mode, so its own sockets can be counted: in whep mode the guest's
 * media reaches MediaMTX (the stand-in, in this test process) while the relay process holds no UDP socket at
 * all; in forward mode the same guest needs the relay's werift sockets. `relay status` reports both.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {createSyntheticSource, type SyntheticSource} from '../../src/media/synthetic.js'
import {type CallsEmulator, startCallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import type {MediamtxStandin} from '../../src/sim/mediamtx/standin-server.js'
import {runR58, startR58Process} from '../support/cli.js'
import {eventually, loopbackPeer} from '../support/peers.js'
import {startLoopbackStandin} from '../support/stack.js'

const SECRET = 'calls-secret-0123456789'
const TOKEN = 'relay-token-0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'r58-relay-whep-'))
const secretFile = join(dir, 'calls-secret')
writeFileSync(secretFile, `${SECRET}\n`, {mode: 0o600})

let calls: CallsEmulator
let mediamtx: MediamtxStandin

beforeAll(async () => {
  calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  mediamtx = await startLoopbackStandin()
})
afterAll(async () => {
  await mediamtx?.close()
  await calls?.close()
})

async function bytesIn(path: string): Promise<number> {
  const response = await fetch(`${mediamtx.apiUrl}/v3/paths/get/${path}`)
  if (response.status !== 200) return 0
  const body = (await response.json()) as {ready: boolean; inboundBytes: number}
  return body.ready ? body.inboundBytes : 0
}

interface StatusJson {
  mode: string
  udpSockets: number
  sessions: {path: string; media?: {mode: string}}[]
}

async function runGuest(mode: 'whep' | 'forward', path: string): Promise<{status: StatusJson; events: string[]}> {
  const relay = startR58Process(
    [
      ...['relay', 'start', '--relay-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
      ...['--mediamtx-url', mediamtx.whipUrl, '--stun-urls', ''],
      ...['--mediamtx-api-url', mediamtx.apiUrl ?? '', '--mode', mode],
      ...['--calls-app-id', 'app-1', '--calls-app-secret-file', secretFile, '--calls-api-base', calls.apiBase],
    ],
    {R58_RELAY_TOKEN: TOKEN},
  )
  let guest: RTCPeerConnection | undefined
  const sources: SyntheticSource[] = []
  try {
    const started = await relay.waitFor('relay.started')
    const url = String(started['url'])
    const adminUrl = String(started['adminUrl'])
    guest = loopbackPeer()
    for (const codec of ['opus', 'vp8'] as const) {
      const source = createSyntheticSource({codec})
      sources.push(source)
      source.attach(guest.addTransceiver(source.track, {direction: 'sendonly'}).sender)
    }
    await guest.setLocalDescription(await guest.createOffer())
    const response = await fetch(`${url}/whip/${path}`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
      body: guest.localDescription?.sdp ?? '',
    })
    expect(response.status).toBe(201)
    await guest.setRemoteDescription({type: 'answer', sdp: await response.text()})
    await eventually(async () => (await bytesIn(path)) > 0, `media in MediaMTX (${mode})`, 30_000)
    const first = await bytesIn(path)
    await eventually(async () => (await bytesIn(path)) > first, `media still flowing (${mode})`, 15_000)
    const status = await runR58<StatusJson>(['relay', 'status', '--relay-admin-url', adminUrl, '--json'])
    expect(status.exitCode, status.stdout).toBe(0)
    return {
      status: JSON.parse(status.stdout).result as StatusJson,
      events: relay.events.map((e) => String(e['event'])),
    }
  } finally {
    relay.kill('SIGTERM')
    expect(await relay.exited).toBe(0)
    for (const source of sources) source.stop()
    await guest?.close()
  }
}

it("whep mode: the guest's media reaches MediaMTX while the relay process holds no UDP socket", async () => {
  const {status, events} = await runGuest('whep', 'direct-guest')
  expect(status).toMatchObject({mode: 'whep', udpSockets: 0, sessions: [{path: 'direct-guest', media: {mode: 'whep'}}]})
  expect(events).toContain('relay.whep.pull')
  await eventually(
    async () => (await fetch(`${mediamtx.apiUrl}/v3/config/paths/get/direct-guest`)).status === 404,
    'the path removed at shutdown',
  )
})

it('forward mode: the same guest goes through the relay, which then holds UDP sockets', async () => {
  const {status} = await runGuest('forward', 'forwarded-guest')
  expect(status.mode).toBe('forward')
  expect(status.udpSockets).toBeGreaterThan(0)
})
