/**
 * The relay's internet-facing HTTP front (WHIP, RFC 9725, for guests; plus health, status, metrics and the
 * guest page). It authenticates, bounds sizes, counts and rates, answers every request (4xx/5xx, never a
 * crash), and hands valid offers to the engine.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {IceServer} from '../ice/ice-url.js'
import type {Log} from '../util/log.js'
import {clientAddress} from './client-address.js'
import {answerPreflight, applyCors, isPreflight} from './cors.js'
import type {RelayEngine} from './engine.js'
import {renderJoinPage} from './join-page.js'
import {renderMetrics} from './metrics.js'
import type {RateLimiter} from './rate-limit.js'
import {type AuthResult, authorize, type TokenTable} from './tokens.js'

export interface IngressOptions {
  engine: RelayEngine
  tokens: TokenTable
  /** Serve without authentication (local testing only; the command refuses it on non-loopback listens). */
  open?: boolean
  allowOrigins: readonly string[]
  maxSessions: number
  /** Largest accepted SDP offer. Default 64 KiB. */
  maxSdpBytes?: number
  /** Largest accepted JSON control body. Default 16 KiB. */
  maxJsonBytes?: number
  rateLimiter: RateLimiter
  /** issue 14: extra top-level fields of /status (the relay's mode, its UDP socket count). */
  describe?: () => Record<string, unknown>
  log: Log
  now?: () => number
}

/** Guest path names: what MediaMTX accepts, without traversal or surprises. */
export const PATH_NAME = /^[A-Za-z0-9_.~-][A-Za-z0-9_.~/-]{0,127}$/

class HttpError extends Error {
  readonly status: number
  readonly headers: Record<string, string>

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.headers = headers
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > max) throw new HttpError(413, `body larger than ${max} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new HttpError(413, `body larger than ${max} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function decodePath(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path')
  }
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** WHIP allows at most one audio and one video m-line and nothing else; a guest offer must have one. */
export function checkOfferShape(sdp: string): string | undefined {
  if (!sdp.startsWith('v=0')) return 'the body is not an SDP offer (it must start with "v=0")'
  const kinds = [...sdp.matchAll(/^m=(\w+) /gm)].map((m) => m[1])
  if (kinds.length === 0) return 'the offer has no media'
  const audio = kinds.filter((k) => k === 'audio').length
  const video = kinds.filter((k) => k === 'video').length
  if (audio > 1 || video > 1) return 'at most one audio and one video track are accepted'
  if (audio + video !== kinds.length)
    return `unsupported media in the offer: ${kinds.filter((k) => k !== 'audio' && k !== 'video').join(', ')}`
  return undefined
}

/** `Link: <turn:…>; rel="ice-server"; username="…"; credential="…"; credential-type="password"` (RFC 9725 §4.6). */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  const quote = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`
  return servers.flatMap((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).map((url) => {
      let link = `<${url}>; rel="ice-server"`
      if (server.username !== undefined) link += `; username=${quote(server.username)}`
      if (server.credential !== undefined)
        link += `; credential=${quote(server.credential)}; credential-type="password"`
      return link
    }),
  )
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers})
  res.end(text)
}

export function createIngressHandler(options: IngressOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const {engine, log} = options
  const maxSdp = options.maxSdpBytes ?? 64 * 1024
  const maxJson = options.maxJsonBytes ?? 16 * 1024
  const counters = {requests: 0, rejected: new Map<number, number>()}

  const authFor = (req: IncomingMessage, path: string, url: URL): AuthResult =>
    options.open ? 'ok' : authorize(options.tokens, path, req.headers.authorization, url.searchParams.get('token'))

  const requireAuth = (req: IncomingMessage, path: string, url: URL): void => {
    const result = authFor(req, path, url)
    if (result !== 'ok') {
      throw new HttpError(401, result === 'missing' ? 'a bearer token is required' : 'invalid token', {
        'www-authenticate': 'Bearer realm="r58-relay"',
      })
    }
  }

  /** Operator endpoints: open to local callers (not via the tunnel), token-protected otherwise. */
  const requireOperator = (req: IncomingMessage, url: URL, client: string): void => {
    const viaProxy = req.headers['cf-connecting-ip'] !== undefined || req.headers['x-forwarded-for'] !== undefined
    const local = !viaProxy && (client === '127.0.0.1' || client === '::1')
    if (!local) requireAuth(req, '*', url)
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://relay')
    const method = req.method ?? 'GET'
    const client = clientAddress(req)
    counters.requests += 1
    if (!applyCors(req, res, options.allowOrigins)) throw new HttpError(403, 'origin not allowed')
    if (!options.rateLimiter.take(client)) {
      throw new HttpError(429, 'too many requests', {
        'retry-after': String(options.rateLimiter.retryAfter(client) || 1),
      })
    }
    if (isPreflight(req)) {
      answerPreflight(res)
      return
    }

    if (url.pathname === '/healthz' && method === 'GET') {
      json(res, 200, {status: 'ok', sessions: engine.list().length})
      return
    }
    if (url.pathname === '/status' && method === 'GET') {
      requireOperator(req, url, client)
      json(res, 200, {sessions: engine.list(), ...options.describe?.()})
      return
    }
    if (url.pathname === '/metrics' && method === 'GET') {
      requireOperator(req, url, client)
      const text = renderMetrics(engine.list(), {requests: counters.requests, rejected: counters.rejected})
      res.writeHead(200, {'content-type': 'text/plain; version=0.0.4'}).end(text)
      return
    }
    if (url.pathname === '/relay/pull' && method === 'POST') {
      requireOperator(req, url, client)
      if (mediaType(req) !== 'application/json') throw new HttpError(415, 'expected application/json')
      let body: {sessionId?: unknown; trackNames?: unknown; path?: unknown}
      try {
        body = JSON.parse(await readBody(req, maxJson)) as typeof body
      } catch (error) {
        if (error instanceof HttpError) throw error
        throw new HttpError(400, 'invalid JSON')
      }
      const {sessionId, trackNames, path} = body ?? {}
      if (typeof sessionId !== 'string' || !/^[\w-]{1,128}$/.test(sessionId))
        throw new HttpError(400, '"sessionId" must be a Calls session id')
      if (
        !Array.isArray(trackNames) ||
        trackNames.length === 0 ||
        trackNames.length > 2 ||
        !trackNames.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 128)
      ) {
        throw new HttpError(400, '"trackNames" must list one or two track names')
      }
      if (typeof path !== 'string' || !PATH_NAME.test(path) || path.includes('..'))
        throw new HttpError(400, '"path" is not a valid path name')
      if (engine.list().length >= options.maxSessions) throw new HttpError(503, 'relay is full', {'retry-after': '5'})
      json(res, 201, await engine.pull({sessionId, trackNames: trackNames as string[], path}))
      return
    }

    const join = /^\/join\/(.+)$/.exec(url.pathname)
    if (join && method === 'GET') {
      const path = decodePath(join[1] ?? '')
      if (!PATH_NAME.test(path) || path.includes('..')) throw new HttpError(404, 'no such path')
      const html = renderJoinPage({path})
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self' blob: mediastream:; connect-src 'self'",
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      })
      res.end(html)
      return
    }

    const whip = /^\/whip\/(.+?)(?:\/session\/([A-Za-z0-9-]{1,64}))?$/.exec(url.pathname)
    if (!whip) throw new HttpError(404, 'not found')
    const path = decodePath(whip[1] ?? '')
    const sessionId = whip[2]
    if (!PATH_NAME.test(path) || path.includes('..')) throw new HttpError(400, 'invalid path name')

    if (sessionId === undefined) {
      if (method === 'OPTIONS') {
        requireAuth(req, path, url)
        res.setHeader('accept-post', 'application/sdp')
        res.setHeader('link', iceServerLinks(await engine.iceServers()))
        res.writeHead(204).end()
        return
      }
      if (method !== 'POST') throw new HttpError(405, 'use POST to publish', {allow: 'OPTIONS, POST'})
      requireAuth(req, path, url)
      if (mediaType(req) !== 'application/sdp') throw new HttpError(415, 'expected Content-Type: application/sdp')
      const offer = await readBody(req, maxSdp)
      const shape = checkOfferShape(offer)
      if (shape) throw new HttpError(shape.startsWith('at most') || shape.startsWith('unsupported') ? 422 : 400, shape)
      if (engine.list().filter((s) => s.state !== 'closed').length >= options.maxSessions) {
        throw new HttpError(503, 'relay is full', {'retry-after': '5'})
      }
      const opened = await engine.open({path, offer, guest: client})
      const location = `/whip/${encodeURIComponent(path).replace(/%2F/g, '/')}/session/${opened.id}`
      res.setHeader('link', iceServerLinks(await engine.iceServers()))
      res.writeHead(201, {
        'content-type': 'application/sdp',
        location,
        etag: `"${opened.id}"`,
        'accept-patch': 'application/trickle-ice-sdpfrag',
      })
      res.end(opened.answer)
      log({
        level: 'info',
        event: 'relay.session.created',
        msg: `guest ${client} publishes to ${path}`,
        session: opened.id,
        path,
        guest: client,
      })
      return
    }

    requireAuth(req, path, url)
    if (!engine.has(sessionId)) throw new HttpError(404, 'no such session')
    if (method === 'PATCH') {
      if (mediaType(req) !== 'application/trickle-ice-sdpfrag')
        throw new HttpError(415, 'expected application/trickle-ice-sdpfrag')
      const fragment = await readBody(req, maxSdp)
      // Calls is ICE-lite and takes no candidates: trickled candidates are accepted and dropped (RFC 9725 allows
      // discarding). A new ufrag/pwd asks for an ICE restart, which Calls cannot do: 422, the session stays.
      if (req.headers['if-match']?.replace(/"/g, '').trim() === '*' && /^a=ice-(ufrag|pwd):/m.test(fragment)) {
        throw new HttpError(422, 'ICE restart is not supported; the session continues')
      }
      res.writeHead(204).end()
      return
    }
    if (method === 'DELETE') {
      await engine.close(sessionId, 'guest ended the session')
      res.writeHead(200).end()
      log({
        level: 'info',
        event: 'relay.session.deleted',
        msg: `guest ${client} ended ${path}`,
        session: sessionId,
        path,
      })
      return
    }
    if (method === 'GET') {
      res.writeHead(200).end()
      return
    }
    throw new HttpError(405, 'use PATCH or DELETE on a session', {allow: 'PATCH, DELETE'})
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 502
      const message = error instanceof Error ? error.message : String(error)
      counters.rejected.set(status, (counters.rejected.get(status) ?? 0) + 1)
      if (!(error instanceof HttpError)) {
        log({level: 'error', event: 'relay.request.failed', msg: message, url: req.url, method: req.method})
      }
      if (res.headersSent) {
        res.end()
        return
      }
      // Drain nothing more from an oversized or failed upload: answer and close.
      if (status === 413) res.setHeader('connection', 'close')
      json(res, status, {error: message}, error instanceof HttpError ? error.headers : {})
    })
  }
}
