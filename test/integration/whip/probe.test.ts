/**
 * probeWhip against the MediaMTX stand-in, real werift peers on loopback, with the quirks of real servers in
 * front (test/support/whip-proxy.ts) and the bad inputs of the issue. The network guard proves nothing is ever sent
 * to a non-loopback address, although the stand-in advertises a LAN address in every answer.
 */
import {createServer} from 'node:net'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {type MediamtxStandin, startMediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import {probeWhip, type WhipProbeOptions, type WhipProbeReport} from '../../../src/whip/probe.js'
import {closedPort, type LoopbackServer, startHttpServer} from '../../support/http-server.js'
import {activeResources, udpSocketsSettle} from '../../support/resources.js'
import {startWhipProxy} from '../../support/whip-proxy.js'

const CONFIG = `webrtcLocalUDPAddress: :8189
webrtcIPsFromInterfaces: yes
webrtcAdditionalHosts: []
webrtcICEServers2:
  - url: turn:turn.example.com:3478?transport=udp
    username: guest
    password: secret
    clientOnly: true
authInternalUsers:
  - user: any
    permissions:
      - action: publish
        path: cam
  - user: alice
    pass: wonderland
    permissions:
      - action: publish
paths:
  all_others:
`

let standin: MediamtxStandin
const servers: LoopbackServer[] = []
let udpBaseline = 0

beforeAll(async () => {
  udpBaseline = activeResources()['UDPWrap'] ?? 0
  standin = await startMediamtxStandin({
    configText: CONFIG,
    whipPort: 0,
    apiPort: 0,
    interfaces: [
      {name: 'lo', address: '127.0.0.1'},
      {name: 'eth0', address: '192.168.1.58'},
    ],
  })
})

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

afterAll(async () => {
  await standin.close()
})

const probe = (options: Partial<WhipProbeOptions> = {}): Promise<WhipProbeReport> =>
  probeWhip({url: standin.endpoint('cam'), via: ['this-host'], durationMs: 300, timeoutMs: 3000, ...options})

const status = (report: WhipProbeReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]))

describe('what the probe does not try is "not tried", never a failure', () => {
  const lanToDocumentation = (sdp: string) => sdp.replaceAll('192.168.1.58', '203.0.113.5')

  it('sets documentation addresses aside without calling the server reachable from anywhere', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {rewriteAnswer: lanToDocumentation})
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    expect(report.candidates.find((c) => c.address === '203.0.113.5')).toMatchObject({
      used: false,
      skipReason: expect.stringContaining('documentation address'),
    })
    expect(report.verdict?.scope).not.toBe('anywhere')
    expect(report.verdict?.text).toContain('203.0.113.5:8189/udp')
    expect(report.verdict?.text).toMatch(/never routable/)
    expect(status(report)['whip.ice']).toBe('pass')
  })

  it('with only candidates it chose not to try: ICE "not tried, and why", not "ICE failed"', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {
      rewriteAnswer: (sdp) =>
        lanToDocumentation(sdp)
          .split('\r\n')
          .filter((line) => !line.includes(' 127.0.0.1 '))
          .join('\r\n'),
    })
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    const ice = report.checks.find((c) => c.id === 'whip.ice')
    expect(ice).toMatchObject({status: 'skip'})
    expect(ice?.evidence).toMatch(/^not tried: 203\.0\.113\.5:8189\/udp: documentation address/)
    expect(report.verdict?.scope).toBe('none')
    expect(report.checks.find((c) => c.id === 'whip.answer.candidates')?.status).toBe('fail')
    expect(status(report)['whip.delete']).toBe('pass')
    expect(report.exitCode).toBe(3)
  })
})

describe('--mediamtx-api with a WHIP URL that is not MediaMTX’s', () => {
  it('is a skipped check, the session is still deleted, and the exit code is the report’s', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {
      mapPath: (path) => path.replace(/^\/ingest\/cam(?=$|\?)/, '/cam/whip'),
    })
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/ingest/cam`, mediamtxApi: {baseUrl: standin.apiUrl as string}})
    const api = report.checks.find((c) => c.id === 'whip.mediamtx.path')
    expect(api).toMatchObject({status: 'skip'})
    expect(api?.evidence).toMatch(/not a MediaMTX \/<path>\/whip URL/)
    expect(status(report)['whip.media']).toBe('pass')
    expect(status(report)['whip.delete']).toBe('pass')
    expect(standin.sessions()).toEqual([])
    expect(report.exitCode).toBe(0)
  })
})

describe('probe whip against the MediaMTX stand-in', () => {
  it.each(['vp8', 'h264'] as const)('publishes %s + Opus, confirms through the API, deletes', async (video) => {
    const report = await probe({video, mediamtxApi: {baseUrl: standin.apiUrl as string}, durationMs: 600})
    expect(status(report)).toEqual({
      'whip.options': 'pass',
      'whip.post': 'pass',
      'whip.answer.candidates': 'warn',
      'whip.ice': 'pass',
      'whip.dtls': 'pass',
      'whip.media': 'pass',
      'whip.mediamtx.path': 'pass',
      'whip.delete': 'pass',
    })
    expect(report.exitCode).toBe(0)
    expect(report.verdict?.scope).toBe('lan')
    expect(report.verdict?.text).toContain('only 192.168.1.58:8189/udp')
    expect(report.candidates.map((c) => [c.address, c.used])).toEqual([
      ['127.0.0.1', true],
      ['192.168.1.58', false],
    ])
    expect(report.selectedPair?.remote.address).toBe('127.0.0.1')
    expect(report.mediamtx).toMatchObject({
      ready: true,
      idMatches: true,
      bytesGrowing: true,
      sourceType: 'webRTCSession',
    })
    expect(report.mediamtx?.tracks).toEqual(expect.arrayContaining(['Opus', video === 'vp8' ? 'VP8' : 'H264']))
    expect(report.media?.video.packets).toBeGreaterThan(0)
    expect(report.server).toMatchObject({kind: 'mediamtx', etag: '*', locationForm: 'absolute-path'})
    const events = report.timeline.map((t) => t.event)
    for (const event of ['options', 'post', 'answer', 'ice.connected', 'dtls.connected', 'rtp.first', 'delete']) {
      expect(events).toContain(event)
    }
    // the timeline is in order
    expect(report.timeline.map((t) => t.at)).toEqual([...report.timeline.map((t) => t.at)].sort((a, b) => a - b))
    expect(standin.sessions()).toEqual([])
  })

  it('trickles by PATCH by default, and not with trickle: false', async () => {
    expect((await probe()).server.trickle).toMatchObject({status: 204, outcome: 'accepted'})
    expect((await probe({trickle: false})).server.trickle).toBeNull()
  })

  it.each([405, 415, 422])('falls back when the server answers PATCH with %i', async (code) => {
    const proxy = await startWhipProxy(standin.whipUrl, {patchStatus: code})
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    expect(report.server.trickle).toMatchObject({status: code, outcome: 'unsupported'})
    expect(report.checks.find((c) => c.id === 'whip.post')?.evidence).toContain(`no trickle (PATCH → ${code})`)
    expect(status(report)['whip.ice']).toBe('pass')
  })

  it('follows a 307 redirect and hands back the Link ICE servers (clientOnly included)', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {redirectPost: true})
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    expect(report.server.redirects).toHaveLength(1)
    expect(report.checks.find((c) => c.id === 'whip.options')?.evidence).toContain(
      'turn:turn.example.com:3478?transport=udp',
    )
    // --via this-host: the non-loopback TURN server is listed, never contacted
    expect(report.iceServers.ignored).toEqual([
      'turn:turn.example.com:3478?transport=udp (not loopback, --via this-host)',
    ])
    expect(report.exitCode).toBe(0)
  })

  it('munges bundle-only m-lines of the answer so werift takes them', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {
      rewriteAnswer: (sdp) => sdp.replace(/m=video 9 /, 'm=video 0 ').replace(/(a=mid:1\r\n)/, '$1a=bundle-only\r\n'),
    })
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    expect(report.timeline.map((t) => t.event)).toContain('answer.munged')
    expect(status(report)['whip.media']).toBe('pass')
  })

  it('connects with the base URL and --path', async () => {
    const {whipEndpointUrl} = await import('../../../src/whip/whip-endpoint.js')
    const report = await probe({url: whipEndpointUrl(standin.whipUrl, 'cam')})
    expect(report.exitCode).toBe(0)
  })
})

describe('bad inputs', () => {
  it('unreachable URL: exit 4 naming the TCP step', async () => {
    const port = await closedPort()
    const report = await probe({url: `http://127.0.0.1:${port}/cam/whip`})
    expect(report.exitCode).toBe(4)
    expect(report.checks[0]).toMatchObject({id: 'whip.options', status: 'fail', failure: 'unreachable'})
    expect(report.checks[0]?.evidence).toMatch(/TCP connection to 127\.0\.0\.1:\d+ refused/)
    expect(report.checks.slice(1).every((c) => c.status === 'skip')).toBe(true)
  })

  it('a DNS failure: exit 4 naming the DNS step (no lookup is made: the dispatcher fails it)', async () => {
    const {MockAgent} = await import('undici')
    const agent = new MockAgent()
    agent.disableNetConnect()
    agent
      .get('http://box.invalid')
      .intercept({path: '/cam/whip', method: 'OPTIONS'})
      .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND box.invalid'), {code: 'ENOTFOUND'}))
    const report = await probe({url: 'http://box.invalid/cam/whip', dispatcher: agent})
    await agent.close()
    expect(report.exitCode).toBe(4)
    expect(report.checks[0]?.evidence).toBe('WHIP OPTIONS: DNS lookup of box.invalid failed (ENOTFOUND)')
  })

  it('TLS to a plain HTTP port: exit 4 naming the TLS step', async () => {
    const report = await probe({url: `${standin.whipUrl.replace('http:', 'https:')}/cam/whip`})
    expect(report.exitCode).toBe(4)
    expect(report.checks[0]?.evidence).toMatch(/^WHIP OPTIONS: TLS handshake with 127\.0\.0\.1:\d+ failed/)
  })

  it('a server that never answers: exit 4 with the HTTP deadline', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const {port} = silent.address() as {port: number}
    try {
      const report = await probe({url: `http://127.0.0.1:${port}/cam/whip`, timeoutMs: 400})
      expect(report.exitCode).toBe(4)
      expect(report.checks[0]?.evidence).toMatch(/no answer from 127\.0\.0\.1:\d+ within 400 ms/)
    } finally {
      silent.close()
    }
  })

  it.each([
    [
      'an HTML page',
      (res: import('node:http').ServerResponse) =>
        res.writeHead(200, {'content-type': 'text/html'}).end('<!doctype html><html>login</html>'),
    ],
    [
      'a 404',
      (res: import('node:http').ServerResponse) =>
        res.writeHead(404, {'content-type': 'text/plain'}).end('404 page not found'),
    ],
  ])('%s: "not a WHIP endpoint", exit 3', async (_name, answer) => {
    const page = await startHttpServer((_req, res) => answer(res))
    servers.push(page)
    const report = await probe({url: `${page.url}/cam/whip`})
    expect(report.exitCode).toBe(3)
    expect(report.checks.find((c) => c.id === 'whip.post')?.evidence).toContain('is not a WHIP endpoint')
  })

  it('401: exit 5; the right credentials pass', async () => {
    const denied = await probe({url: standin.endpoint('private')})
    expect(denied.exitCode).toBe(5)
    expect(denied.checks[0]).toMatchObject({id: 'whip.options', failure: 'auth'})
    const wrong = await probe({url: standin.endpoint('private'), token: 'alice:nope'})
    expect(wrong.exitCode).toBe(5)
    const allowed = await probe({url: standin.endpoint('private'), token: 'alice:wonderland'})
    expect(allowed.exitCode).toBe(0)
  })

  it('406 with a JSON error body: the server message is quoted', async () => {
    const rejecting = await startHttpServer((req, res) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end()
        return
      }
      res
        .writeHead(406, {'content-type': 'application/json'})
        .end('{"status":"error","error":"unsupported media \'application\'"}')
    })
    servers.push(rejecting)
    const report = await probe({url: `${rejecting.url}/cam/whip`})
    expect(report.exitCode).toBe(3)
    expect(report.checks.find((c) => c.id === 'whip.post')?.evidence).toContain('"unsupported media \'application\'"')
  })

  it('a malformed answer: the offending line is quoted, the session still deleted', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {
      rewriteAnswer: (sdp) =>
        sdp.replace(
          /a=candidate:(\d+) 1 udp 2130706431 192\.168\.1\.58 8189/,
          'a=candidate:$1 1 udp 2130706431 192.168.1.58 port',
        ),
    })
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    expect(report.exitCode).toBe(3)
    const check = report.checks.find((c) => c.id === 'whip.answer.candidates')
    expect(check?.evidence).toMatch(
      /malformed SDP answer, line \d+: "a=candidate:\d+ 1 udp 2130706431 192\.168\.1\.58 port typ host"/,
    )
    expect(report.checks.find((c) => c.id === 'whip.delete')?.status).toBe('pass')
  })

  it('an answer without candidates fails with the reason', async () => {
    const proxy = await startWhipProxy(standin.whipUrl, {
      rewriteAnswer: (sdp) => sdp.replace(/a=candidate:[^\r\n]*\r\n/g, ''),
    })
    servers.push(proxy)
    const report = await probe({url: `${proxy.url}/cam/whip`})
    expect(report.exitCode).toBe(3)
    expect(report.checks.find((c) => c.id === 'whip.answer.candidates')?.evidence).toContain('no a=candidate line')
    expect(report.verdict?.scope).toBe('none')
  })

  it('accepts but never connects: exit 4, the timeout names "ICE checking"', async () => {
    const dead = await closedPort()
    // A WHIP server that answers 201 with a well-formed answer whose only candidate never answers.
    const silent = await startHttpServer(async (req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end()
        return
      }
      let offer = ''
      for await (const chunk of req) offer += chunk
      const lines = offer.split('\r\n').filter((l) => l && !/^a=(candidate|end-of-candidates|ssrc)/.test(l))
      const answer = lines
        .map((l) => (l === 'a=setup:actpass' ? 'a=setup:active' : l === 'a=sendonly' ? 'a=recvonly' : l))
        .map((l) =>
          l.startsWith('a=ice-ufrag:')
            ? 'a=ice-ufrag:dead'
            : l.startsWith('a=ice-pwd:')
              ? 'a=ice-pwd:deaddeaddeaddeaddeaddead'
              : l,
        )
      answer.splice(answer.indexOf('a=mid:0') + 1, 0, `a=candidate:1 1 udp 2130706431 127.0.0.1 ${dead} typ host`)
      res.writeHead(201, {'content-type': 'application/sdp', location: '/cam/whip/1'}).end(`${answer.join('\r\n')}\r\n`)
    })
    servers.push(silent)
    const report = await probe({url: `${silent.url}/cam/whip`, timeoutMs: 1500})
    expect(report.exitCode).toBe(4)
    expect(report.checks.find((c) => c.id === 'whip.ice')?.evidence).toMatch(
      new RegExp(`^ICE checking: no answer from 127\\.0\\.0\\.1:${dead}/udp within 1500 ms`),
    )
  })

  it('--relay-only without a TURN server says what to give', async () => {
    const report = await probe({
      relayOnly: true,
      url: standin.endpoint('cam'),
      iceServers: [{urls: 'stun:127.0.0.1:3478'}],
    })
    expect(report.exitCode).toBe(3)
    expect(report.checks.find((c) => c.id === 'whip.post')?.fix).toContain('--ice-server turn:')
  })

  it('leaves no peer connection open and no UDP socket behind', async () => {
    await probe()
    expect(standin.sessions()).toEqual([])
    expect(await udpSocketsSettle(udpBaseline)).toBeLessThanOrEqual(udpBaseline)
  })
})
