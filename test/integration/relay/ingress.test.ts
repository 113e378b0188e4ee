/**
 * The relay's HTTP front on a real loopback server, with a recording engine behind it: authentication,
 * limits, WHIP semantics, CORS, operator endpoints, and survival of malformed requests.
 */
import {request} from 'node:http'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {OpenSessionInput, RelayEngine, RelaySessionInfo} from '../../../src/relay/engine.js'
import {createIngressHandler} from '../../../src/relay/ingress.js'
import {RateLimiter} from '../../../src/relay/rate-limit.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {type LoopbackServer, startHttpServer} from '../../support/http-server.js'

const OFFER =
  'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n'
const TOKEN = 'cam-token-0123456789abcdef'

class RecordingEngine implements RelayEngine {
  sessions = new Map<string, RelaySessionInfo>()
  opened: OpenSessionInput[] = []
  closed: string[] = []
  async open(input: OpenSessionInput) {
    this.opened.push(input)
    const id = `s${this.opened.length}`
    this.sessions.set(id, {
      id,
      path: input.path,
      guest: input.guest,
      state: 'live',
      since: new Date(0).toISOString(),
      tracks: [],
      legs: {fromCalls: {packets: 1, bytes: 2, lost: 0}, toMediamtx: {packets: 1, bytes: 2, lost: 0}},
      keyframeRequests: 0,
      republishes: 0,
      lastError: null,
    })
    return {id, answer: 'v=0\r\nanswer'}
  }
  async pull() {
    return {id: 'pulled'}
  }
  async close(id: string) {
    this.closed.push(id)
    return this.sessions.delete(id)
  }
  has(id: string) {
    return this.sessions.has(id)
  }
  list() {
    return [...this.sessions.values()]
  }
  async iceServers() {
    return [{urls: 'stun:stun.example.test:3478'}]
  }
  async shutdown() {}
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {method, headers}, (res) => {
      let text = ''
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: text}))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

describe('relay ingress', () => {
  let engine: RecordingEngine
  let server: LoopbackServer
  const logs: string[] = []
  const start = async (options: {maxSessions?: number; rate?: number; origins?: string[]} = {}) => {
    engine = new RecordingEngine()
    server = await startHttpServer(
      createIngressHandler({
        engine,
        tokens: parseTokensFile(`cam ${TOKEN}\n`, 'tokens'),
        allowOrigins: options.origins ?? ['https://studio.example'],
        maxSessions: options.maxSessions ?? 2,
        maxSdpBytes: 4096,
        rateLimiter: new RateLimiter({ratePerSecond: options.rate ?? 1000, burst: options.rate ?? 1000}),
        log: (event) => logs.push(event.event),
      }),
    )
  }
  const auth = {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'}
  beforeEach(() => start())
  afterEach(() => server.close())

  it('publishes: 201 with the answer, Location, ETag and Link, and the guest address', async () => {
    const reply = await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)
    expect(reply.status).toBe(201)
    expect(reply.body).toBe('v=0\r\nanswer')
    expect(reply.headers['content-type']).toBe('application/sdp')
    expect(reply.headers['location']).toBe('/whip/cam/session/s1')
    expect(reply.headers['etag']).toBe('"s1"')
    expect(reply.headers['link']).toBe('<stun:stun.example.test:3478>; rel="ice-server"')
    expect(engine.opened[0]).toMatchObject({path: 'cam', offer: OFFER, guest: '127.0.0.1'})
  })

  it('takes the guest address from CF-Connecting-IP when it comes through the local tunnel connector', async () => {
    await send(`${server.url}/whip/cam`, 'POST', {...auth, 'cf-connecting-ip': '198.51.100.7'}, OFFER)
    expect(engine.opened[0]?.guest).toBe('198.51.100.7')
  })

  it.each([
    {what: 'no token', headers: {'content-type': 'application/sdp'}, body: OFFER, status: 401},
    {
      what: 'a wrong token',
      headers: {...auth, authorization: 'Bearer wrong-token-0123456789'},
      body: OFFER,
      status: 401,
    },
    {what: 'a wrong content type', headers: {...auth, 'content-type': 'text/plain'}, body: OFFER, status: 415},
    {what: 'an oversized SDP', headers: auth, body: `${OFFER}${'a=x\r\n'.repeat(2000)}`, status: 413},
    {what: 'two video m-lines', headers: auth, body: `${OFFER}m=video 9 UDP/TLS/RTP/SAVPF 96\r\n`, status: 422},
    {
      what: 'a data channel',
      headers: auth,
      body: `${OFFER}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n`,
      status: 422,
    },
    {what: 'not an SDP', headers: auth, body: '<html></html>', status: 400},
  ])('refuses $what with $status and creates nothing', async ({headers, body, status}) => {
    const reply = await send(`${server.url}/whip/cam`, 'POST', headers, body)
    expect(reply.status).toBe(status)
    expect(JSON.parse(reply.body).error).toEqual(expect.any(String))
    if (status === 401) expect(reply.headers['www-authenticate']).toContain('Bearer')
    expect(engine.opened).toHaveLength(0)
  })

  it('answers 503 with Retry-After when full', async () => {
    for (let i = 0; i < 2; i++) expect((await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)).status).toBe(201)
    const reply = await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)
    expect(reply.status).toBe(503)
    expect(reply.headers['retry-after']).toBe('5')
  })

  it('rate-limits per client with 429 and Retry-After', async () => {
    await server.close()
    await start({rate: 2})
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await send(`${server.url}/healthz`, 'GET')).status)
    expect(statuses).toEqual([200, 200, 429, 429])
  })

  it('trickle PATCH → 204, ICE restart → 422 (session kept), DELETE → 200 then 404', async () => {
    await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)
    const session = `${server.url}/whip/cam/session/s1`
    const frag =
      'a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n'
    const sdpfrag = {...auth, 'content-type': 'application/trickle-ice-sdpfrag'}
    expect((await send(session, 'PATCH', {...sdpfrag, 'if-match': '"s1"'}, frag)).status).toBe(204)
    expect((await send(session, 'PATCH', {...sdpfrag, 'if-match': '*'}, frag)).status).toBe(422)
    expect(engine.has('s1')).toBe(true)
    expect((await send(session, 'PATCH', auth, frag)).status).toBe(415)
    expect((await send(session, 'DELETE', {authorization: `Bearer ${TOKEN}`})).status).toBe(200)
    expect(engine.closed).toEqual(['s1'])
    expect((await send(session, 'DELETE', {authorization: `Bearer ${TOKEN}`})).status).toBe(404)
  })

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = {origin: 'https://studio.example', 'access-control-request-method': 'POST'}
    const ok = await send(`${server.url}/whip/cam`, 'OPTIONS', preflight)
    expect(ok.status).toBe(204)
    expect(ok.headers['access-control-allow-origin']).toBe('https://studio.example')
    expect(ok.headers['access-control-allow-methods']).toContain('POST')
    const denied = await send(`${server.url}/whip/cam`, 'OPTIONS', {...preflight, origin: 'https://evil.example'})
    expect(denied.status).toBe(403)
  })

  it('lists ICE servers on an authenticated OPTIONS', async () => {
    const reply = await send(`${server.url}/whip/cam`, 'OPTIONS', {authorization: `Bearer ${TOKEN}`})
    expect(reply.status).toBe(204)
    expect(reply.headers['accept-post']).toBe('application/sdp')
    expect(reply.headers['link']).toContain('rel="ice-server"')
  })

  it('serves status and metrics to local operators, and only with a token through the tunnel', async () => {
    await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)
    const status = await send(`${server.url}/status`, 'GET')
    expect(JSON.parse(status.body).sessions).toHaveLength(1)
    const metrics = await send(`${server.url}/metrics`, 'GET')
    expect(metrics.body).toContain('r58_relay_sessions{state="live"} 1')
    expect((await send(`${server.url}/status`, 'GET', {'cf-connecting-ip': '198.51.100.7'})).status).toBe(401)
  })

  it('serves the join page with the path escaped', async () => {
    const reply = await send(`${server.url}/join/cam`, 'GET')
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toContain('text/html')
    expect(reply.body).toContain('Join “cam”')
    const evil = await send(`${server.url}/join/${encodeURIComponent('<script>')}`, 'GET')
    expect(evil.status).toBe(404)
  })

  it('survives 200 malformed requests and keeps serving', async () => {
    const junk = [
      () => send(`${server.url}/whip/`, 'POST', auth, OFFER),
      () => send(`${server.url}/whip/..%2F..%2Fetc`, 'POST', auth, OFFER),
      () => send(`${server.url}/whip/cam`, 'PUT', auth, OFFER),
      () => send(`${server.url}/whip/cam/session/nope`, 'DELETE', auth),
      () => send(`${server.url}/relay/pull`, 'POST', {'content-type': 'application/json'}, '{"sessionId": 1}'),
      () => send(`${server.url}/relay/pull`, 'POST', {'content-type': 'application/json'}, '{not json'),
      () => send(`${server.url}/whip/cam`, 'POST', {...auth, 'content-length': '99999999'}, ''),
      () => send(`${server.url}/whip/cam`, 'POST', auth, Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString('latin1')),
      () => send(`${server.url}/%%%`, 'GET'),
      () => send(`${server.url}/whip/cam`, 'POST', auth, 'v=0\r\nm=audio\r\n'.repeat(3)),
    ]
    for (let i = 0; i < 200; i++) {
      const reply = await (junk[i % junk.length] as () => Promise<Reply>)().catch(() => ({
        status: 0,
        headers: {},
        body: '',
      }))
      expect(reply.status === 0 || (reply.status >= 400 && reply.status < 600)).toBe(true)
    }
    expect((await send(`${server.url}/healthz`, 'GET')).status).toBe(200)
    expect((await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)).status).toBe(201)
  })
})
