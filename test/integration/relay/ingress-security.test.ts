/**
 * The relay's guest front as a hostile client sees it (issue 12, items 1 and 3–8): sessions belong to the
 * path and token that made them, no token reaches a log, the session bound holds under concurrency, refused
 * uploads are not read, forwarding headers are believed only when asked to, a bad offer is the guest's
 * error, and one path has one publisher.
 */
import {connect} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import type {IngressOptions} from '../../../src/relay/ingress.js'
import {createIngressHandler} from '../../../src/relay/ingress.js'
import {RateLimiter} from '../../../src/relay/rate-limit.js'
import {newSessionId} from '../../../src/relay/session-id.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import type {LogEvent} from '../../../src/util/log.js'
import {type LoopbackServer, startHttpServer} from '../../support/http-server.js'
import {OFFER, RecordingEngine, send, sessionIdOf} from './recording-engine.js'

const CAM = 'cam-token-0123456789abcdef'
const CAM_2 = 'cam-second-token-0123456789'
const STAGE = 'stage-token-0123456789abcdef'
const EVERY = 'every-path-token-0123456789'
const TOKENS = `cam ${CAM}\ncam ${CAM_2}\nstage ${STAGE}\n* ${EVERY}\n`

let engine: RecordingEngine
let server: LoopbackServer | undefined
let logs: LogEvent[]

async function start(options: Partial<IngressOptions> = {}, rate = 10_000): Promise<LoopbackServer> {
  engine = new RecordingEngine()
  logs = []
  server = await startHttpServer(
    createIngressHandler({
      engine,
      tokens: parseTokensFile(TOKENS, 'tokens'),
      allowOrigins: ['*'],
      maxSessions: 10,
      maxSdpBytes: 8192,
      rateLimiter: new RateLimiter({ratePerSecond: rate, burst: rate}),
      log: (event) => logs.push(event),
      ...options,
    }),
  )
  return server
}
afterEach(async () => {
  await server?.close()
  server = undefined
})

const sdp = (token: string) => ({authorization: `Bearer ${token}`, 'content-type': 'application/sdp'})

describe('item 1: a session belongs to its path and token', () => {
  it('answers 404 and changes nothing for another path’s session, or the same path with another token', async () => {
    const {url} = await start()
    const a = await send(`${url}/whip/cam`, 'POST', sdp(CAM), OFFER)
    const b = await send(`${url}/whip/stage`, 'POST', sdp(STAGE), OFFER)
    expect([a.status, b.status]).toEqual([201, 201])
    const bId = sessionIdOf(b)
    const frag = {authorization: `Bearer ${CAM}`, 'content-type': 'application/trickle-ice-sdpfrag'}
    expect((await send(`${url}/whip/cam/session/${bId}`, 'DELETE', {authorization: `Bearer ${CAM}`})).status).toBe(404)
    expect((await send(`${url}/whip/cam/session/${bId}`, 'PATCH', frag, 'a=end-of-candidates\r\n')).status).toBe(404)
    // Another token of the same path, and a token for every path, are not the session's token either.
    const aUrl = `${url}${a.headers['location']}`
    expect((await send(aUrl, 'DELETE', {authorization: `Bearer ${CAM_2}`})).status).toBe(404)
    expect((await send(aUrl, 'DELETE', {authorization: `Bearer ${EVERY}`})).status).toBe(404)
    expect(engine.closed).toEqual([])
    expect((await send(aUrl, 'DELETE', {authorization: `Bearer ${CAM}`})).status).toBe(200)
    expect(engine.closed).toEqual([sessionIdOf(a)])
  })

  it('makes session ids of 128 random bits', () => {
    const ids = new Set(Array.from({length: 1000}, () => newSessionId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16)
  })
})

describe('item 2: public metrics, only when asked for, name no one', () => {
  it('serves /healthz and /metrics to guests only with publicMetrics, with bounded labels', async () => {
    const {url} = await start()
    expect((await send(`${url}/metrics`, 'GET')).status).toBe(404)
    await server?.close()
    const opened = await start({publicMetrics: true})
    const guests = await Promise.all(
      ['cam', 'stage', 'guest-a', 'guest-b'].map((path) =>
        send(`${opened.url}/whip/${path}`, 'POST', sdp(EVERY), OFFER),
      ),
    )
    const metrics = (await send(`${opened.url}/metrics`, 'GET')).body
    expect(metrics).toContain('r58_relay_sessions{state="live"} 4')
    for (const guest of guests) expect(metrics).not.toContain(sessionIdOf(guest))
    expect(metrics).not.toMatch(/path=|session=|guest=|cam|stage/)
    // One sample per metric whatever the number of sessions: labels are states and statuses only.
    const samples = metrics.split('\n').filter((line) => line.startsWith('r58_relay_received_packets_total'))
    expect(samples).toEqual(['r58_relay_received_packets_total 4'])
    expect(JSON.parse((await send(`${opened.url}/healthz`, 'GET')).body)).toEqual({status: 'ok'})
  })
})

describe('item 3: no token in any log', () => {
  it('logs a failed offer without the query string or the token', async () => {
    const {url} = await start()
    engine.failWith = new Error('upstream failed')
    const reply = await send(`${url}/whip/cam?token=${CAM}`, 'POST', {'content-type': 'application/sdp'}, OFFER)
    expect(reply.status).toBe(502)
    expect(logs.length).toBeGreaterThan(0)
    const text = JSON.stringify(logs)
    expect(text).not.toContain(CAM)
    expect(text).not.toContain('token=')
  })
})

describe('item 4: --max-sessions is a hard bound', () => {
  it('lets at most 10 of 40 concurrent valid offers through, and frees slots of failed ones', async () => {
    const {url} = await start()
    engine.openDelayMs = 50
    const replies = await Promise.all(
      Array.from({length: 40}, (_, i) => send(`${url}/whip/guest-${i}`, 'POST', sdp(EVERY), OFFER)),
    )
    const created = replies.filter((r) => r.status === 201).length
    expect(created).toBeLessThanOrEqual(10)
    expect(created).toBeGreaterThan(0)
    expect(engine.list().length).toBeLessThanOrEqual(10)
    expect(engine.opened.length).toBeLessThanOrEqual(10)
    expect(replies.every((r) => r.status === 201 || r.status === 503)).toBe(true)
    // Failed opens give their slot back.
    for (const s of engine.list()) await engine.close(s.id)
    engine.failWith = new Error('calls down')
    for (let i = 0; i < 12; i++) await send(`${url}/whip/failing-${i}`, 'POST', sdp(EVERY), OFFER)
    engine.failWith = undefined
    expect((await send(`${url}/whip/after`, 'POST', sdp(EVERY), OFFER)).status).toBe(201)
  })
})

/** Pushes a chunked body until the relay closes the connection or `cap` bytes are written. */
function pushChunked(port: number, head: string, cap: number): Promise<{written: number; answer: string}> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let written = 0
    let answer = ''
    let done = false
    const finish = () => {
      if (done) return
      done = true
      socket.destroy()
      resolve({written, answer})
    }
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('error', finish)
    socket.on('close', finish)
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x61), Buffer.from('\r\n')])
    const pump = () => {
      while (!done && written < cap) {
        written += chunk.length
        if (!socket.write(chunk)) {
          socket.once('drain', pump)
          return
        }
      }
      if (written >= cap) finish()
    }
    socket.write(head, pump)
  })
}

describe('item 5: what the relay refuses, it does not read', () => {
  it.each([
    {what: 'without a token', headers: 'content-type: application/sdp\r\n'},
    {
      what: 'with a wrong token',
      headers: 'authorization: Bearer wrong-token-0123456789\r\ncontent-type: application/sdp\r\n',
    },
    {
      what: 'with a valid token but too large',
      headers: `authorization: Bearer ${CAM}\r\ncontent-type: application/sdp\r\n`,
    },
    {what: 'to a route that reads no body', headers: '', path: '/join/cam', method: 'GET'},
  ])('closes a chunked upload $what after answering', async ({headers, path, method}) => {
    const {port} = await start()
    const head = `${method ?? 'POST'} ${path ?? '/whip/cam'} HTTP/1.1\r\nhost: relay\r\n${headers}transfer-encoding: chunked\r\n\r\n`
    const cap = 64 * 1024 * 1024
    const {written, answer} = await pushChunked(port, head, cap)
    expect(written).toBeLessThan(cap)
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 (401|413|200) /)
    expect(engine.opened).toEqual([])
  })

  it('refuses a declared oversize body before authenticating', async () => {
    const {url} = await start()
    const reply = await send(`${url}/whip/cam`, 'POST', {
      'content-type': 'application/sdp',
      'content-length': '99999999',
    })
    expect([401, 413]).toContain(reply.status)
    expect(reply.headers['connection']).toBe('close')
  })
})

describe('item 6: forwarding headers only with --trust-proxy', () => {
  it('ignores CF-Connecting-IP and X-Forwarded-For by default', async () => {
    const {url} = await start()
    await send(
      `${url}/whip/cam`,
      'POST',
      {...sdp(CAM), 'cf-connecting-ip': '198.51.100.7', 'x-forwarded-for': '203.0.113.9'},
      OFFER,
    )
    expect(engine.opened[0]?.guest).toBe('127.0.0.1')
  })

  it('cannot dodge the rate limit by rotating X-Forwarded-For', async () => {
    const {url} = await start({}, 2)
    const statuses = []
    for (let i = 0; i < 4; i++)
      statuses.push((await send(`${url}/whip/cam`, 'POST', {'x-forwarded-for': `203.0.113.${i}`}, OFFER)).status)
    expect(statuses).toEqual([401, 401, 429, 429])
  })

  it.each([
    {trustProxy: 'cloudflare' as const, headers: {'cf-connecting-ip': '198.51.100.7'}, guest: '198.51.100.7'},
    {
      trustProxy: 'x-forwarded-for' as const,
      headers: {'x-forwarded-for': '192.0.2.1, 198.51.100.8'},
      guest: '198.51.100.8',
    },
    {trustProxy: 'cloudflare' as const, headers: {'x-forwarded-for': '198.51.100.9'}, guest: '127.0.0.1'},
  ])('with --trust-proxy $trustProxy, takes $guest', async ({trustProxy, headers, guest}) => {
    const {url} = await start({trustProxy})
    await send(`${url}/whip/cam`, 'POST', {...sdp(CAM), ...headers}, OFFER)
    expect(engine.opened[0]?.guest).toBe(guest)
  })
})

describe('item 7: a malformed offer is the guest’s error', () => {
  it.each([
    {what: 'no ICE credentials', body: OFFER.replace(/a=ice-(ufrag|pwd):.*\r\n/g, '')},
    {what: 'no DTLS fingerprint', body: OFFER.replace(/a=fingerprint:.*\r\n/, '')},
    {what: 'a broken m-line', body: OFFER.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'm=audio')},
    {what: 'no codecs', body: OFFER.replace(/a=rtpmap:.*\r\n/g, '')},
  ])('answers 400 for $what, logs it at warn, and never asks Calls', async ({body}) => {
    const {url} = await start()
    const reply = await send(`${url}/whip/cam`, 'POST', sdp(CAM), body)
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body).error.length).toBeLessThan(200)
    expect(engine.opened).toEqual([])
    expect(logs.find((e) => e.event === 'relay.offer.refused')?.level).toBe('warn')
  })
})

describe('item 8: one publisher per path', () => {
  it('refuses a second publisher on a busy path with 409', async () => {
    const {url} = await start()
    expect((await send(`${url}/whip/cam`, 'POST', sdp(CAM), OFFER)).status).toBe(201)
    const second = await send(`${url}/whip/cam`, 'POST', sdp(CAM_2), OFFER)
    expect(second.status).toBe(409)
    expect(engine.opened).toHaveLength(1)
    expect(engine.closed).toEqual([])
  })

  it('with --on-conflict takeover, ends the first publisher and lets the second in', async () => {
    const {url} = await start({onConflict: 'takeover'})
    const first = await send(`${url}/whip/cam`, 'POST', sdp(CAM), OFFER)
    const second = await send(`${url}/whip/cam`, 'POST', sdp(CAM_2), OFFER)
    expect(second.status).toBe(201)
    expect(engine.closed).toEqual([sessionIdOf(first)])
    expect(engine.list().map((s) => s.id)).toEqual([sessionIdOf(second)])
  })
})
