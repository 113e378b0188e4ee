/**
 * A small route table for the relay's listeners (guests, operator): each route is a method set and a path
 * pattern. The router answers every request (4xx for the client's errors, 502 when something behind the
 * relay failed, never a crash), counts answers for /metrics, closes refused uploads instead of reading
 * them, and logs failures by path only: query strings carry join tokens and are never logged.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {closeUnreadUploads, replyJson} from '../net/http-reply.js'
import {findRoute} from '../net/http-route.js'
import type {Log} from '../util/log.js'
import {asHttpError, HttpError} from './http-helpers.js'

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** The client's address (see client-address.ts). */
  client: string
}

export interface Route {
  methods: readonly string[]
  /** Matched against the decoded-as-sent pathname; captures are passed to `handle`. */
  pattern: RegExp
  handle(ctx: RequestContext, match: RegExpExecArray): Promise<void> | void
}

export interface RequestCounters {
  requests: number
  /** Answers with an error, by status (a bounded set: the relay's own codes). */
  rejected: Map<number, number>
}

export const newRequestCounters = (): RequestCounters => ({requests: 0, rejected: new Map()})

export interface RouterOptions {
  routes: readonly Route[]
  log: Log
  counters: RequestCounters
  clientOf: (req: IncomingMessage) => string
  /** Runs before routing (CORS, rate limit); returns true when it has answered the request itself. */
  before?: (ctx: RequestContext) => boolean
}

function parseUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://relay')
  } catch {
    throw new HttpError(400, 'malformed request target')
  }
}

export function createRouter(options: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const {routes, counters} = options
  const dispatch = async (req: IncomingMessage, res: ServerResponse, client: string): Promise<void> => {
    const ctx: RequestContext = {req, res, url: parseUrl(req), client}
    if (options.before?.(ctx)) return
    const method = req.method ?? 'GET'
    // The first route whose pattern matches owns the path: a method it does not take is a 405.
    const found = findRoute(routes, method, ctx.url.pathname)
    if (!found) throw new HttpError(404, 'not found')
    if (!found.allowed) throw new HttpError(405, `use ${found.route.methods.join(' or ')}`, {allow: found.allow})
    return found.route.handle(ctx, found.match)
  }

  return (req, res) => {
    closeUnreadUploads(req, res)
    counters.requests += 1
    const client = options.clientOf(req)
    dispatch(req, res, client).catch((error: unknown) => answerError(req, res, error, options))
  }
}

/** Counts and answers a refusal; a failure behind the relay is a logged 502. */
function answerError(req: IncomingMessage, res: ServerResponse, error: unknown, options: RouterOptions): void {
  const known = asHttpError(error)
  const status = known ? known.status : 502
  options.counters.rejected.set(status, (options.counters.rejected.get(status) ?? 0) + 1)
  if (!known) {
    options.log({
      level: 'error',
      event: 'relay.request.failed',
      msg: error instanceof Error ? error.message : String(error),
      method: req.method,
      path: parsePathname(req.url),
    })
  }
  if (res.headersSent) {
    res.end()
    return
  }
  // What failed behind the relay is in the log, not in the answer to an anonymous client.
  const message = known ? known.message : 'the relay could not complete the request'
  replyJson(res, status, {error: message}, {headers: known ? known.headers : {}})
}

/** The path of a request target without its query (which may hold a token). */
function parsePathname(target: string | undefined): string {
  return (target ?? '/').split('?')[0] ?? '/'
}
