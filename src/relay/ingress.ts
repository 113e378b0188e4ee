/**
 * The relay's internet-facing HTTP front: WHIP (RFC 9725) for guests and the guest page, nothing an
 * operator uses (that is admin.ts, on its own listener). It authenticates on headers before reading a
 * body, bounds sizes, counts and rates, checks offers itself, keeps each session to the path and token that
 * made it, and hands valid offers to the engine.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {isCallsError} from '../calls/calls-errors.js'
import {R58Error} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import {mediaType, readBody, refuseDeclaredOversize} from '../net/http-body.js'
import {replyJson} from '../net/http-reply.js'
import type {Log} from '../util/log.js'
import {hasIceCredentials} from '../whip/sdpfrag.js'
import {clientAddress, type TrustProxy} from './client-address.js'
import {answerPreflight, applyCors, isPreflight} from './cors.js'
import type {RelayEngine} from './engine.js'
import {decodePath, HttpError, isPathName} from './http-helpers.js'
import {renderJoinPage} from './join-page.js'
import {renderMetrics} from './metrics.js'
import {checkOffer} from './offer-check.js'
import type {RateLimiter} from './rate-limit.js'
import {createRouter, newRequestCounters, type RequestContext, type RequestCounters, type Route} from './router.js'
import {SESSION_ID} from './session-id.js'
import {type ConflictPolicy, SessionSlots} from './slots.js'
import {authorize, presentedToken, type TokenTable, tokenFingerprint} from './tokens.js'

export {checkOfferShape} from './offer-check.js'

export interface IngressOptions {
  engine: RelayEngine
  tokens: TokenTable
  /** Serve without authentication (local testing only; the command refuses it on non-loopback listens). */
  open?: boolean
  allowOrigins: readonly string[]
  maxSessions: number
  /** Shared with the operator listener (pulls take slots too). Default: one made from maxSessions. */
  slots?: SessionSlots
  /** A second publisher on a busy path: 409 (default), or end the first one. */
  onConflict?: ConflictPolicy
  /** Which forwarding header to believe from a local proxy. Default none: the socket address. */
  trustProxy?: TrustProxy
  /** Also serve /healthz and /metrics here (they name no session, path or token). */
  publicMetrics?: boolean
  /** Shared with the operator listener, for /metrics. */
  counters?: RequestCounters
  /** More routes, tried before the WHIP ones (other front ends of the relay). */
  routes?: readonly Route[]
  /** Largest accepted SDP offer. Default 64 KiB. */
  maxSdpBytes?: number
  rateLimiter: RateLimiter
  log: Log
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

/** Which path and token made each session: a session URL works only through them. */
interface Owner {
  path: string
  token: string
}

/** What every route of one ingress shares. */
interface Ingress {
  options: IngressOptions
  engine: RelayEngine
  log: Log
  maxSdp: number
  counters: RequestCounters
  slots: SessionSlots
  owners: Map<string, Owner>
}

/** Authenticates on headers alone; returns the fingerprint of the token used. */
function requireAuth({options}: Ingress, {req, url}: RequestContext, path: string): string {
  const token = presentedToken(req.headers.authorization, url.searchParams.get('token'))
  if (options.open) return tokenFingerprint(token)
  const result = authorize(options.tokens, path, req.headers.authorization, url.searchParams.get('token'))
  if (result !== 'ok') {
    throw new HttpError(401, result === 'missing' ? 'a bearer token is required' : 'invalid token', {
      'www-authenticate': 'Bearer realm="r58-relay"',
    })
  }
  return tokenFingerprint(token)
}

function guestPath(raw: string | undefined, status: 400 | 404): string {
  const path = decodePath(raw ?? '')
  if (!isPathName(path)) throw new HttpError(status, status === 404 ? 'no such path' : 'invalid path name')
  return path
}

function refuseOffer({log}: Ingress, ctx: RequestContext, path: string, status: number, reason: string): never {
  log({
    level: 'warn',
    event: 'relay.offer.refused',
    msg: `offer for ${path} refused: ${reason}`,
    path,
    guest: ctx.client,
  })
  throw new HttpError(status, reason)
}

/** OPTIONS or POST on a WHIP endpoint; the body is read only after authentication. */
async function publish(ingress: Ingress, ctx: RequestContext, rawPath: string | undefined): Promise<void> {
  const {engine} = ingress
  const path = guestPath(rawPath, 400)
  refuseDeclaredOversize(ctx.req, ingress.maxSdp)
  const tokenPrint = requireAuth(ingress, ctx, path)
  if (ctx.req.method === 'OPTIONS') {
    ctx.res.setHeader('accept-post', 'application/sdp')
    ctx.res.setHeader('link', iceServerLinks(await engine.iceServers()))
    ctx.res.writeHead(204).end()
    return
  }
  if (mediaType(ctx.req) !== 'application/sdp') throw new HttpError(415, 'expected Content-Type: application/sdp')
  const offer = await readBody(ctx.req, ingress.maxSdp)
  const problem = checkOffer(offer)
  if (problem) refuseOffer(ingress, ctx, path, problem.status, problem.reason)
  const opened = await openSession(ingress, ctx, path, offer, tokenPrint)
  const location = `/whip/${encodeURIComponent(path).replace(/%2F/g, '/')}/session/${opened.id}`
  ctx.res.setHeader('link', iceServerLinks(await engine.iceServers()))
  ctx.res.writeHead(201, {
    'content-type': 'application/sdp',
    location,
    etag: `"${opened.id}"`,
    'accept-patch': 'application/trickle-ice-sdpfrag',
  })
  ctx.res.end(opened.answer)
  ingress.log({
    level: 'info',
    event: 'relay.session.created',
    msg: `guest ${ctx.client} publishes to ${path}`,
    session: opened.id,
    path,
    guest: ctx.client,
  })
}

/** Takes the path's slot, opens the session on the engine and ends the one it replaces. */
async function openSession(
  ingress: Ingress,
  ctx: RequestContext,
  path: string,
  offer: string,
  tokenPrint: string,
): Promise<Awaited<ReturnType<RelayEngine['open']>>> {
  const {engine, owners, log} = ingress
  const slot = ingress.slots.take(path)
  let opened: Awaited<ReturnType<RelayEngine['open']>>
  try {
    opened = await engine.open({path, offer, guest: ctx.client})
  } catch (error) {
    // Calls refusing the offer, or werift failing to read it, is still the guest's error; Calls' words stay in the log.
    if (isOfferError(error)) {
      refuseOffer(ingress, ctx, path, 400, 'the offer was refused: check its codecs and its ICE and DTLS attributes')
    }
    throw error
  } finally {
    slot.release()
  }
  owners.set(opened.id, {path, token: tokenPrint})
  for (const id of owners.keys()) if (!engine.has(id)) owners.delete(id)
  for (const id of slot.replaces) {
    owners.delete(id)
    await engine.close(id, 'another publisher took over the path')
    log({level: 'info', event: 'relay.session.replaced', msg: `a new guest took over ${path}`, session: id, path})
  }
  return opened
}

/** A session resource: only through the path and token that created it; anything else is 404. */
async function session(
  ingress: Ingress,
  ctx: RequestContext,
  rawPath: string | undefined,
  id: string | undefined,
): Promise<void> {
  const {engine, owners} = ingress
  const path = guestPath(rawPath, 404)
  refuseDeclaredOversize(ctx.req, ingress.maxSdp)
  const token = requireAuth(ingress, ctx, path)
  const owner = id === undefined ? undefined : owners.get(id)
  if (!id || !owner || owner.path !== path || owner.token !== token || !engine.has(id)) {
    throw new HttpError(404, 'no such session')
  }
  if (ctx.req.method === 'PATCH') {
    if (mediaType(ctx.req) !== 'application/trickle-ice-sdpfrag')
      throw new HttpError(415, 'expected application/trickle-ice-sdpfrag')
    const fragment = await readBody(ctx.req, ingress.maxSdp)
    // Calls is ICE-lite and takes no candidates: trickled candidates are accepted and dropped (RFC 9725 allows
    // discarding). A new ufrag/pwd asks for an ICE restart, which Calls cannot do: 422, the session stays.
    if (ctx.req.headers['if-match']?.replace(/"/g, '').trim() === '*' && hasIceCredentials(fragment)) {
      throw new HttpError(422, 'ICE restart is not supported; the session continues')
    }
    ctx.res.writeHead(204).end()
    return
  }
  owners.delete(id)
  await engine.close(id, 'guest ended the session')
  ctx.res.writeHead(200).end()
  ingress.log({
    level: 'info',
    event: 'relay.session.deleted',
    msg: `guest ${ctx.client} ended ${path}`,
    session: id,
    path,
  })
}

function joinPage({res}: RequestContext, rawPath: string | undefined): void {
  const path = guestPath(rawPath, 404)
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy':
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self' blob: mediastream:; connect-src 'self'",
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  })
  res.end(renderJoinPage({path}))
}

/** /healthz and /metrics on the guest listener, when asked for. */
function publicRoutes({options, engine, counters}: Ingress): Route[] {
  if (!options.publicMetrics) return []
  return [
    {methods: ['GET'], pattern: /^\/healthz$/, handle: ({res}) => replyJson(res, 200, {status: 'ok'})},
    {
      methods: ['GET'],
      pattern: /^\/metrics$/,
      handle: ({res}) => {
        const text = renderMetrics(engine.list(), {...counters, ended: engine.endedTotals?.()})
        res.writeHead(200, {'content-type': 'text/plain; version=0.0.4'}).end(text)
      },
    },
  ]
}

/** CORS, then the rate limit, then CORS preflights: before any route. */
function beforeRouting(options: IngressOptions): (ctx: RequestContext) => boolean {
  return ({req, res, client}) => {
    if (!applyCors(req, res, options.allowOrigins)) throw new HttpError(403, 'origin not allowed')
    if (!options.rateLimiter.take(client)) {
      throw new HttpError(429, 'too many requests', {
        'retry-after': String(options.rateLimiter.retryAfter(client) || 1),
      })
    }
    if (!isPreflight(req)) return false
    answerPreflight(res)
    return true
  }
}

export function createIngressHandler(options: IngressOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const {engine} = options
  const ingress: Ingress = {
    options,
    engine,
    log: options.log,
    maxSdp: options.maxSdpBytes ?? 64 * 1024,
    counters: options.counters ?? newRequestCounters(),
    slots: options.slots ?? new SessionSlots(engine, options.maxSessions, options.onConflict),
    owners: new Map(),
  }
  return createRouter({
    log: options.log,
    counters: ingress.counters,
    clientOf: (req) => clientAddress(req, options.trustProxy),
    before: beforeRouting(options),
    routes: [
      ...publicRoutes(ingress),
      ...(options.routes ?? []),
      {methods: ['GET'], pattern: /^\/join\/(.+)$/, handle: (ctx, m) => joinPage(ctx, m[1])},
      {
        methods: ['PATCH', 'DELETE'],
        pattern: /^\/whip\/(.+?)\/session\/([^/]*)$/,
        handle: (ctx, m) => session(ingress, ctx, m[1], SESSION_ID.test(m[2] ?? '') ? m[2] : undefined),
      },
      {methods: ['OPTIONS', 'POST'], pattern: /^\/whip\/(.+)$/, handle: (ctx, m) => publish(ingress, ctx, m[1])},
    ],
  })
}

/**
 * The engine failed on the offer itself: werift could not read it, or Calls refused it (the whole request as
 * invalid, or one of the offer's tracks: pushing is about nothing but the guest's offer).
 */
function isOfferError(error: unknown): boolean {
  if (isCallsError(error)) return error.failure === 'invalid_request' || error.failure === 'track'
  return error instanceof R58Error && error.code === 'E_PROTOCOL'
}
