/** `r58 probe whip` as users run it: exit codes, human output with the verdict, a process that exits promptly. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type MediamtxStandin, startMediamtxStandin} from '../../src/sim/mediamtx/standin-server.js'
import {runR58, spawnR58} from '../support/cli.js'
import {closedPort, type LoopbackServer, startHttpServer} from '../support/http-server.js'
import {startWhipProxy} from '../support/whip-proxy.js'
import {WORLD_MEDIAMTX_YML} from './world.js'

let standin: MediamtxStandin
let html: LoopbackServer
let down: number

beforeAll(async () => {
  standin = await startMediamtxStandin({
    configText: WORLD_MEDIAMTX_YML,
    whipPort: 0,
    apiPort: 0,
    interfaces: [
      {name: 'lo', address: '127.0.0.1'},
      {name: 'eth0', address: '192.168.1.58'},
    ],
  })
  html = await startHttpServer((_req, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html>'))
  down = await closedPort()
})
afterAll(async () => {
  await standin.close()
  await html.close()
})

const quick = ['--via', 'this-host', '--duration', '200ms', '--timeout', '2s']

describe('r58 probe whip', () => {
  it('prints the candidates, the verdict with its fix, the timeline and the checks', async () => {
    const out = await runR58([
      'probe',
      'whip',
      standin.endpoint('cam'),
      ...quick,
      '--mediamtx-api-url',
      standin.apiUrl as string,
    ])
    expect(out.exitCode).toBe(0)
    expect(out.stderr).toBe('')
    expect(out.stdout).toContain('host  192.168.1.58:8189/udp  private   lan        outside --via this-host')
    expect(out.stdout).toContain('! Verdict: this LAN only')
    expect(out.stdout).toContain(
      'MediaMTX advertises only 192.168.1.58:8189/udp — a guest outside this LAN cannot reach it, even with TURN on the guest side.',
    )
    expect(out.stdout).toContain('Fix: `r58 mediamtx configure --turn …`')
    for (const id of [
      'whip.options',
      'whip.post',
      'whip.ice',
      'whip.dtls',
      'whip.media',
      'whip.mediamtx.path',
      'whip.delete',
    ]) {
      expect(out.stdout).toMatch(new RegExp(`✓ +${id.replace('.', '\\.')}`))
    }
  })

  it.each([
    {
      name: 'unreachable',
      argv: () => [`http://127.0.0.1:${down}/cam/whip`],
      exit: 4,
      text: /TCP connection to 127\.0\.0\.1:\d+ refused/,
    },
    {name: 'credentials required', argv: () => [standin.endpoint('locked')], exit: 5, text: /HTTP 401/},
    {name: 'not a WHIP endpoint', argv: () => [`${html.url}/cam/whip`], exit: 3, text: /is not a WHIP endpoint/},
  ])('$name: exit $exit', async ({argv, exit, text}) => {
    const human = await runR58(['probe', 'whip', ...argv(), ...quick])
    expect(human.exitCode).toBe(exit)
    expect(human.stdout).toMatch(text)
    const json = await runR58(['probe', 'whip', ...argv(), ...quick, '--json'])
    expect(json.exitCode).toBe(exit)
    expect(JSON.parse(json.stdout)).toMatchObject({ok: false, exitCode: exit, result: {ok: false, exitCode: exit}})
  })

  it.each([
    [['--ice-server', 'turn:nope'], /--ice-server: "turn:nope" has no port/],
    [['--ice-server', 'http://x:1'], /is not a STUN\/TURN URL/],
    [['--via', 'mars'], /Expected --via=mars to be one of/],
  ])('usage error %j: exit 2', async (flags, message) => {
    const out = await runR58(['probe', 'whip', standin.endpoint('cam'), ...flags])
    expect(out.exitCode).toBe(2)
    expect(out.stderr).toMatch(message)
  })

  it('refuses a URL that is not http(s)', async () => {
    const out = await runR58(['probe', 'whip', 'ftp://box/cam/whip'])
    expect(out.exitCode).toBe(2)
  })

  it('--mediamtx-api with a WHIP URL not of MediaMTX’s form: no stack trace, DELETE sent, the report’s exit code', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {
      mapPath: (path) => path.replace(/^\/ingest\/cam(?=$|\?)/, '/cam/whip'),
    })
    try {
      const out = await spawnR58(
        ['probe', 'whip', `${proxy.url}/ingest/cam`, ...quick, '--mediamtx-api', standin.apiUrl as string, '--json'],
        {timeoutMs: 20_000},
      )
      expect(out.stderr).not.toMatch(/\bat \S+ \(|R58Error/)
      expect(out.exitCode).toBe(0)
      const checks = JSON.parse(out.stdout).result.checks as {id: string; status: string}[]
      expect(checks.find((c) => c.id === 'whip.mediamtx.path')?.status).toBe('skip')
      expect(checks.find((c) => c.id === 'whip.delete')?.status).toBe('pass')
      expect(standin.sessions()).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('exits by itself, promptly, as a real process', async () => {
    const out = await spawnR58(['probe', 'whip', standin.endpoint('cam'), ...quick, '--json'], {timeoutMs: 20_000})
    expect(out.exitCode).toBe(0)
    expect(JSON.parse(out.stdout).result.checks).toHaveLength(8)
  })
})
