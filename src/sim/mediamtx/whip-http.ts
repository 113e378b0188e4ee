/**
 * The stand-in's WebRTC HTTP listener: MediaMTX's routes (`http_server.go`) for WHIP, with its status codes,
 * JSON error bodies and headers per version. WHEP is not emulated (501).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {MediamtxConfig} from '../../mediamtx/config-read.js'
import type {Version} from '../../mediamtx/version.js'
import {BodyTooLargeError, readBody} from '../../net/http-body.js'
import {replyJson} from '../../net/http-reply.js'
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

/** The body, at most MAX_SDP bytes: MediaMTX answers a larger one 400. */
async function readSdp(req: IncomingMessage): Promise<string> {
  try {
    return await readBody(req, MAX_SDP, {checkDeclared: false})
  } catch (error) {
    throw error instanceof BodyTooLargeError ? new StandinHttpError(400, 'body too large') : error
  }
}

function remoteIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204) body = undefined
  replyJson(res, status, body, {contentType: 'application/json; charset=utf-8'})
}

const error = (ctx: WhipHttpContext, res: ServerResponse, status: number, message: string) =>
  json(res, status, errorBody(ctx.version(), message))

const notFound = (res: ServerResponse) => res.writeHead(404, {'content-type': 'text/plain'}).end('404 page not found')

function cors(ctx: WhipHttpContext, req: IncomingMessage, res: ServerResponse): void {
  const origins = ctx.config().webrtc.allowOrigins
  const origin = req.headers.origin
  const allowed = origin !== undefined && origins.includes(origin) ? origin : origins.includes('*') ? '*' : origins[0]
  if (allowed !== undefined) res.setHeader('access-control-allow-origin', allowed)
  res.setHeader('access-control-allow-credentials', 'true')
}

/** FindPathConf + auth, as checkAuthOutsideSession: true when the request may go on. */
function authorize(
  ctx: WhipHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  pathName: string,
  outside: boolean,
): boolean {
  const config = ctx.config()
  if (matchPathConf(config.paths, pathName) === undefined) {
    error(ctx, res, outside ? 500 : 400, `path '${pathName}' is not configured`)
    return false
  }
  const credentials = credentialsOf(req)
  if (authorizePublish(config.raw, ctx.version(), pathName, remoteIp(req), credentials) === 'denied') {
    if (credentials === null) res.setHeader('www-authenticate', 'Basic realm="mediamtx"')
    error(ctx, res, 401, 'authentication error')
    return false
  }
  return true
}

function onOptions(ctx: WhipHttpContext, req: IncomingMessage, res: ServerResponse, pathName: string): void {
  if (!authorize(ctx, req, res, pathName, true)) return
  res.setHeader('access-control-allow-methods', ALLOW_METHODS)
  res.setHeader('access-control-allow-headers', ALLOW_HEADERS)
  res.setHeader('access-control-expose-headers', 'Accept-Post, Link')
  res.setHeader('accept-post', 'application/sdp')
  const links = ctx.links()
  if (links.length > 0) res.setHeader('link', links)
  res.writeHead(204).end()
}

async function onPost(
  ctx: WhipHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  pathName: string,
): Promise<void> {
  const version = ctx.version()
  if (!contentTypeMatches(version, req.headers['content-type'], 'application/sdp')) {
    error(ctx, res, 400, 'invalid Content-Type')
    return
  }
  const offer = await readSdp(req)
  if (!authorize(ctx, req, res, pathName, false)) return
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

async function onPatch(
  ctx: WhipHttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  session: StandinSession | undefined,
): Promise<void> {
  const version = ctx.version()
  if (!contentTypeMatches(version, req.headers['content-type'], 'application/trickle-ice-sdpfrag')) {
    error(ctx, res, 400, 'invalid Content-Type')
    return
  }
  const fragment = await readSdp(req)
  if (!session) {
    error(ctx, res, unknownSessionStatus(version), 'session not found')
    return
  }
  await session.addCandidates(fragment)
  json(res, 204, okBody(version))
}

/** `/<path>/whip` and `/<path>/whep`: OPTIONS, POST, and PATCH with `If-Match` before session URLs existed. */
async function onEndpoint(ctx: WhipHttpContext, req: IncomingMessage, res: ServerResponse, url: URL, noId: string[]) {
  const method = req.method ?? 'GET'
  const pathName = noId[1] as string
  if (noId[2] === 'whep') {
    error(ctx, res, 501, 'WHEP is not emulated by the r58 MediaMTX stand-in')
    return
  }
  if (method === 'OPTIONS') onOptions(ctx, req, res, pathName)
  else if (method === 'POST') await onPost(ctx, req, res, url, pathName)
  else if (method === 'GET' || method === 'HEAD' || method === 'PUT') error(ctx, res, 405, 'method not allowed')
  else if (method === 'PATCH' && !hasSessionUrls(ctx.version())) {
    const secret = String(req.headers['if-match'] ?? '')
    await onPatch(ctx, req, res, UUID.test(secret) ? ctx.sessionBySecret(secret) : undefined)
  } else notFound(res)
}

/** `/<path>/whip/<secret>` (v1.2.1+): PATCH and DELETE of a session. */
async function onSession(ctx: WhipHttpContext, req: IncomingMessage, res: ServerResponse, secret: string) {
  const method = req.method ?? 'GET'
  const version = ctx.version()
  if (method !== 'PATCH' && method !== 'DELETE') {
    notFound(res)
    return
  }
  if (!UUID.test(secret)) {
    error(ctx, res, 400, 'invalid secret')
    return
  }
  const session = ctx.sessionBySecret(secret)
  if (method === 'PATCH') {
    await onPatch(ctx, req, res, session)
    return
  }
  if (!supportsDelete(version)) {
    notFound(res)
    return
  }
  if (!session) {
    error(ctx, res, unknownSessionStatus(version), 'session not found')
    return
  }
  await ctx.deleteSession(session)
  json(res, 200, okBody(version))
}

/** The page routes: `/<path>/` and `/<path>/publish`, and the redirect of `/<path>` to `/<path>/`. */
function onPage(ctx: WhipHttpContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const method = req.method ?? 'GET'
  const page = /^\/(.+?)\/(publish)?$/.exec(url.pathname)
  if (method === 'GET' && page) {
    if (!authorize(ctx, req, res, page[1] as string, true)) return
    res.writeHead(200, {'content-type': 'text/html'}).end('<!DOCTYPE html><html><body>MediaMTX stand-in</body></html>')
    return
  }
  if (method === 'GET' && /^\/[^/]+$/.test(url.pathname) && url.pathname !== '/favicon.ico') {
    res.writeHead(302, {location: `${url.pathname}/${url.search}`}).end()
    return
  }
  notFound(res)
}

/** MediaMTX's routing order (`http_server.go`): preflight, endpoint, session, then the pages. */
async function route(ctx: WhipHttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://standin')
  cors(ctx, req, res)
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.setHeader('access-control-allow-methods', ALLOW_METHODS)
    res.setHeader('access-control-allow-headers', ALLOW_HEADERS)
    res.writeHead(204).end()
    return
  }
  const noId = NO_ID.exec(url.pathname)
  if (noId) return onEndpoint(ctx, req, res, url, noId)
  const withId = WITH_ID.exec(url.pathname)
  if (withId && withId[2] === 'whip' && hasSessionUrls(ctx.version()))
    return onSession(ctx, req, res, withId[3] as string)
  onPage(ctx, req, res, url)
}

export function createWhipHandler(ctx: WhipHttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(ctx, req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.end()
        return
      }
      if (e instanceof StandinHttpError) error(ctx, res, e.status, e.message)
      else error(ctx, res, 500, e instanceof Error ? e.message : String(e))
    })
  }
}
