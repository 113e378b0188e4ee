/**
 * The stand-in's WebRTC HTTP listener: MediaMTX's routes (`http_server.go`) for WHIP, with its status codes,
 * JSON error bodies and headers per version. WHEP is not emulated (501).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {MediamtxConfig} from '../../mediamtx/config-read.js'
import type {Version} from '../../mediamtx/version.js'
import {authorizePublish, credentialsOf, matchPathConf} from './auth.js'
import {
  ALLOW_HEADERS,
  ALLOW_METHODS,
  contentTypeMatches,
  createdHeaders,
  errorBody,
  hasSessionUrls,
  okBody,
  supportsDelete,
  unknownSessionStatus,
} from './http-rules.js'
import {StandinHttpError, type StandinSession} from './standin-session.js'

export interface WhipHttpContext {
  version(): Version
  config(): MediamtxConfig
  /** `Link` header values: every ICE server, clientOnly ones included. */
  links(): string[]
  createSession(request: {pathName: string; query: string; remoteAddr: string; offer: string}): Promise<StandinSession>
  sessionBySecret(secret: string): StandinSession | undefined
  deleteSession(session: StandinSession): Promise<void>
}

const NO_ID = /^\/(.+?)\/(whip|whep)$/
const WITH_ID = /^\/(.+?)\/(whip|whep)\/(.+?)$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_SDP = 1024 * 1024

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_SDP) throw new StandinHttpError(400, 'body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function remoteIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
}

export function createWhipHandler(ctx: WhipHttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    if (body === undefined || status === 204) {
      res.writeHead(status).end()
      return
    }
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    res.end(text)
  }
  const error = (res: ServerResponse, status: number, message: string) =>
    json(res, status, errorBody(ctx.version(), message))
  const notFound = (res: ServerResponse) => res.writeHead(404, {'content-type': 'text/plain'}).end('404 page not found')

  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origins = ctx.config().webrtc.allowOrigins
    const origin = req.headers.origin
    const allowed = origin !== undefined && origins.includes(origin) ? origin : origins.includes('*') ? '*' : origins[0]
    if (allowed !== undefined) res.setHeader('access-control-allow-origin', allowed)
    res.setHeader('access-control-allow-credentials', 'true')
  }

  /** FindPathConf + auth, as checkAuthOutsideSession: true when the request may go on. */
  const authorize = (req: IncomingMessage, res: ServerResponse, pathName: string, outside: boolean): boolean => {
    const config = ctx.config()
    if (matchPathConf(config.paths, pathName) === undefined) {
      error(res, outside ? 500 : 400, `path '${pathName}' is not configured`)
      return false
    }
    const credentials = credentialsOf(req)
    if (authorizePublish(config.raw, ctx.version(), pathName, remoteIp(req), credentials) === 'denied') {
      if (credentials === null) res.setHeader('www-authenticate', 'Basic realm="mediamtx"')
      error(res, 401, 'authentication error')
      return false
    }
    return true
  }

  const onOptions = (req: IncomingMessage, res: ServerResponse, pathName: string) => {
    if (!authorize(req, res, pathName, true)) return
    res.setHeader('access-control-allow-methods', ALLOW_METHODS)
    res.setHeader('access-control-allow-headers', ALLOW_HEADERS)
    res.setHeader('access-control-expose-headers', 'Accept-Post, Link')
    res.setHeader('accept-post', 'application/sdp')
    const links = ctx.links()
    if (links.length > 0) res.setHeader('link', links)
    res.writeHead(204).end()
  }

  const onPost = async (req: IncomingMessage, res: ServerResponse, url: URL, pathName: string) => {
    const version = ctx.version()
    if (!contentTypeMatches(version, req.headers['content-type'], 'application/sdp')) {
      error(res, 400, 'invalid Content-Type')
      return
    }
    const offer = await readBody(req)
    if (!authorize(req, res, pathName, false)) return
    const session = await ctx.createSession({
      pathName,
      query: url.search.replace(/^\?/, ''),
      remoteAddr: `${remoteIp(req)}:${req.socket.remotePort ?? 0}`,
      offer,
    })
    const headers = createdHeaders(version, {
      pathName,
      rawQuery: url.search.replace(/^\?/, ''),
      secret: session.secret,
      requestPath: url.pathname,
      id: session.id,
      links: ctx.links(),
    })
    res.writeHead(201, headers).end(session.answer)
  }

  const onPatch = async (req: IncomingMessage, res: ServerResponse, session: StandinSession | undefined) => {
    const version = ctx.version()
    if (!contentTypeMatches(version, req.headers['content-type'], 'application/trickle-ice-sdpfrag')) {
      error(res, 400, 'invalid Content-Type')
      return
    }
    const fragment = await readBody(req)
    if (!session) {
      error(res, unknownSessionStatus(version), 'session not found')
      return
    }
    await session.addCandidates(fragment)
    json(res, 204, okBody(version))
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://standin')
    const method = req.method ?? 'GET'
    const version = ctx.version()
    cors(req, res)
    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('access-control-allow-methods', ALLOW_METHODS)
      res.setHeader('access-control-allow-headers', ALLOW_HEADERS)
      res.writeHead(204).end()
      return
    }
    const noId = NO_ID.exec(url.pathname)
    if (noId) {
      const pathName = noId[1] as string
      if (noId[2] === 'whep') {
        error(res, 501, 'WHEP is not emulated by the r58 MediaMTX stand-in')
        return
      }
      if (method === 'OPTIONS') onOptions(req, res, pathName)
      else if (method === 'POST') await onPost(req, res, url, pathName)
      else if (method === 'GET' || method === 'HEAD' || method === 'PUT') error(res, 405, 'method not allowed')
      else if (method === 'PATCH' && !hasSessionUrls(version)) {
        const secret = String(req.headers['if-match'] ?? '')
        await onPatch(req, res, UUID.test(secret) ? ctx.sessionBySecret(secret) : undefined)
      } else notFound(res)
      return
    }
    const withId = WITH_ID.exec(url.pathname)
    if (withId && withId[2] === 'whip' && hasSessionUrls(version)) {
      const secret = withId[3] as string
      if (method !== 'PATCH' && method !== 'DELETE') {
        notFound(res)
        return
      }
      if (!UUID.test(secret)) {
        error(res, 400, 'invalid secret')
        return
      }
      const session = ctx.sessionBySecret(secret)
      if (method === 'PATCH') {
        await onPatch(req, res, session)
        return
      }
      if (!supportsDelete(version)) {
        notFound(res)
        return
      }
      if (!session) {
        error(res, unknownSessionStatus(version), 'session not found')
        return
      }
      await ctx.deleteSession(session)
      json(res, 200, okBody(version))
      return
    }
    const page = /^\/(.+?)\/(publish)?$/.exec(url.pathname)
    if (method === 'GET' && page) {
      if (!authorize(req, res, page[1] as string, true)) return
      res
        .writeHead(200, {'content-type': 'text/html'})
        .end('<!DOCTYPE html><html><body>MediaMTX stand-in</body></html>')
      return
    }
    if (method === 'GET' && /^\/[^/]+$/.test(url.pathname) && url.pathname !== '/favicon.ico') {
      res.writeHead(302, {location: `${url.pathname}/${url.search}`}).end()
      return
    }
    notFound(res)
  }

  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.end()
        return
      }
      if (e instanceof StandinHttpError) error(res, e.status, e.message)
      else error(res, 500, e instanceof Error ? e.message : String(e))
    })
  }
}
