/**
 * The relay's operator endpoints, served on their own listener (loopback or a Unix socket, never through
 * the tunnel): health, status with every session, metrics, and pulling tracks from Calls. No CORS: no web
 * page may call them.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {mediaType, readBody} from '../net/http-body.js'
import {replyJson} from '../net/http-reply.js'
import type {Log} from '../util/log.js'
import {PullRefusedError, type RelayEngine} from './engine.js'
import {asHttpError, HttpError, isPathName} from './http-helpers.js'
import {renderMetrics} from './metrics.js'
import {createRouter, type RequestContext, type RequestCounters} from './router.js'
import type {SessionSlots} from './slots.js'

export interface AdminOptions {
  engine: RelayEngine
  slots: SessionSlots
  counters: RequestCounters
  log: Log
  /** Extra fields for /status (issue 14: the relay mode, why, and the relay's UDP socket count). */
  describe?: () => Record<string, unknown>
  /** Largest accepted JSON body. Default 16 KiB. */
  maxJsonBytes?: number
}

async function pull({req, res}: RequestContext, options: AdminOptions): Promise<void> {
  if (mediaType(req) !== 'application/json') throw new HttpError(415, 'expected application/json')
  let body: {sessionId?: unknown; trackNames?: unknown; path?: unknown}
  try {
    body = JSON.parse(await readBody(req, options.maxJsonBytes ?? 16 * 1024)) as typeof body
  } catch (error) {
    throw asHttpError(error) ?? new HttpError(400, 'invalid JSON')
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
  if (typeof path !== 'string' || !isPathName(path)) throw new HttpError(400, '"path" is not a valid path name')
  const slot = options.slots.take(path)
  let pulled: {id: string}
  try {
    pulled = await options.engine.pull({sessionId, trackNames: trackNames as string[], path})
  } catch (error) {
    if (error instanceof PullRefusedError) throw new HttpError(404, error.message)
    throw error
  } finally {
    slot.release()
  }
  for (const id of slot.replaces) await options.engine.close(id, 'an operator pull took over the path')
  replyJson(res, 201, pulled)
}

export function createAdminHandler(options: AdminOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const {engine} = options
  return createRouter({
    log: options.log,
    counters: options.counters,
    clientOf: (req) => req.socket.remoteAddress ?? 'local',
    routes: [
      {
        methods: ['GET'],
        pattern: /^\/healthz$/,
        handle: ({res}) => replyJson(res, 200, {status: 'ok', sessions: engine.list().length}),
      },
      {
        methods: ['GET'],
        pattern: /^\/status$/,
        handle: ({res}) => replyJson(res, 200, {sessions: engine.list(), ...options.describe?.()}),
      },
      {
        methods: ['GET'],
        pattern: /^\/metrics$/,
        handle: ({res}) => {
          const text = renderMetrics(engine.list(), {...options.counters, ended: engine.endedTotals?.()})
          res.writeHead(200, {'content-type': 'text/plain; version=0.0.4'}).end(text)
        },
      },
      {methods: ['POST'], pattern: /^\/relay\/pull$/, handle: (ctx) => pull(ctx, options)},
    ],
  })
}
