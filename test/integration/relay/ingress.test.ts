/**
 * The relay's HTTP front on a real loopback server, with a recording engine behind it: authentication,
 * limits, WHIP semantics, CORS, no operator endpoint, and survival of malformed requests.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {createIngressHandler} from '../../../src/relay/ingress.js'
import {RateLimiter} from '../../../src/relay/rate-limit.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {type LoopbackServer, startHttpServer} from '../../support/http-server.js'
import {OFFER, RecordingEngine, type Reply, send, sessionIdOf} from './recording-engine.js'

const TOKEN = 'cam-token-0123456789abcdef'
const EVERY = 'every-path-token-0123456789'

describe('relay ingress', () => {
  let engine: RecordingEngine
  let server: LoopbackServer
  const logs: string[] = []
  const start = async (
    options: {maxSessions?: number; rate?: number; origins?: string[]; trustProxy?: 'cloudflare'} = {},
  ) => {
    engine = new RecordingEngine()
    server = await startHttpServer(
      createIngressHandler({
        engine,
        tokens: parseTokensFile(`cam ${TOKEN}\n* ${EVERY}\n`, 'tokens'),
        allowOrigins: options.origins ?? ['https://studio.example'],
        maxSessions: options.maxSessions ?? 2,
        maxSdpBytes: 4096,
        rateLimiter: new RateLimiter({ratePerSecond: options.rate ?? 1000, burst: options.rate ?? 1000}),
        ...(options.trustProxy && {trustProxy: options.trustProxy}),
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
    const id = sessionIdOf(reply)
    expect(reply.headers['location']).toBe(`/whip/cam/session/${id}`)
    expect(reply.headers['etag']).toBe(`"${id}"`)
    expect(reply.headers['link']).toBe('<stun:stun.example.test:3478>; rel="ice-server"')
    expect(engine.opened[0]).toMatchObject({path: 'cam', offer: OFFER, guest: '127.0.0.1'})
  })

  it('with --trust-proxy cloudflare, takes the guest address from CF-Connecting-IP of the local connector', async () => {
    await server.close()
    await start({trustProxy: 'cloudflare'})
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
    const every = {...auth, authorization: `Bearer ${EVERY}`}
    for (let i = 0; i < 2; i++)
      expect((await send(`${server.url}/whip/cam-${i}`, 'POST', every, OFFER)).status).toBe(201)
    const reply = await send(`${server.url}/whip/cam-2`, 'POST', every, OFFER)
    expect(reply.status).toBe(503)
    expect(reply.headers['retry-after']).toBe('5')
  })

  it('rate-limits per client with 429 and Retry-After', async () => {
    await server.close()
    await start({rate: 2})
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await send(`${server.url}/join/cam`, 'GET')).status)
    expect(statuses).toEqual([200, 200, 429, 429])
  })

  it('trickle PATCH → 204, ICE restart → 422 (session kept), DELETE → 200 then 404', async () => {
    const created = await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)
    const id = sessionIdOf(created)
    const session = `${server.url}${created.headers['location']}`
    const frag =
      'a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n'
    const sdpfrag = {...auth, 'content-type': 'application/trickle-ice-sdpfrag'}
    expect((await send(session, 'PATCH', {...sdpfrag, 'if-match': `"${id}"`}, frag)).status).toBe(204)
    expect((await send(session, 'PATCH', {...sdpfrag, 'if-match': '*'}, frag)).status).toBe(422)
    expect(engine.has(id)).toBe(true)
    expect((await send(session, 'PATCH', auth, frag)).status).toBe(415)
    expect((await send(session, 'DELETE', {authorization: `Bearer ${TOKEN}`})).status).toBe(200)
    expect(engine.closed).toEqual([id])
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

  it('serves no operator endpoint to guests, whatever the headers (see admin-listener.test.ts)', async () => {
    await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)
    for (const path of ['/status', '/metrics', '/healthz']) {
      expect((await send(`${server.url}${path}`, 'GET')).status).toBe(404)
      expect((await send(`${server.url}${path}`, 'GET', {authorization: `Bearer ${EVERY}`})).status).toBe(404)
    }
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
    expect((await send(`${server.url}/join/cam`, 'GET')).status).toBe(200)
    expect((await send(`${server.url}/whip/cam`, 'POST', auth, OFFER)).status).toBe(201)
  })
})
