/**
 * A small route table for the relay's listeners (guests, operator): each route is a method set and a path
 * pattern. The router answers every request (4xx for the client's errors, 502 when something behind the
 * relay failed, never a crash), counts answers for /metrics, closes refused uploads instead of reading
 * them, and logs failures by path only: query strings carry join tokens and are never logged.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Log} from '../util/log.js'
import {closeUnreadUploads, HttpError, json} from './http-helpers.js'

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
  const {routes, log, counters} = options
  const dispatch = async (req: IncomingMessage, res: ServerResponse, client: string): Promise<void> => {
    const ctx: RequestContext = {req, res, url: parseUrl(req), client}
    if (options.before?.(ctx)) return
    const method = req.method ?? 'GET'
    // The first route whose pattern matches owns the path: a method it does not take is a 405.
    for (const route of routes) {
      const match = route.pattern.exec(ctx.url.pathname)
      if (!match) continue
      if (route.methods.includes(method)) return route.handle(ctx, match)
      const allow = route.methods.join(', ')
      throw new HttpError(405, `use ${route.methods.join(' or ')}`, {allow})
    }
    throw new HttpError(404, 'not found')
  }

  return (req, res) => {
    closeUnreadUploads(req, res)
    counters.requests += 1
    const client = options.clientOf(req)
    dispatch(req, res, client).catch((error: unknown) => {
      const known = error instanceof HttpError
      const status = known ? error.status : 502
      counters.rejected.set(status, (counters.rejected.get(status) ?? 0) + 1)
      if (!known) {
        log({
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
      const message = known ? error.message : 'the relay could not complete the request'
      json(res, status, {error: message}, known ? error.headers : {})
    })
  }
}

/** The path of a request target without its query (which may hold a token). */
function parsePathname(target: string | undefined): string {
  return (target ?? '/').split('?')[0] ?? '/'
}
