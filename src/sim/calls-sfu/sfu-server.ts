/**
 * `startCallsEmulator`: a local implementation of the Cloudflare Calls (Realtime SFU) HTTPS API with real
 * WebRTC media (werift), for tests, the lab, the offline demo, and anyone developing against Calls without
 * an account. It also serves the TURN credential API (generate-ice-servers, generate, revoke).
 *
 * The HTTP layer never throws on any input: every request gets a JSON answer with a documented status and
 * error code, bodies are size-limited (413 `payload_too_large`), and handler bugs become 500
 * `internal_error` without taking the server down. close() frees every socket, peer connection and timer.
 */
import {timingSafeEqual} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {isIPv4, isIPv6} from 'node:net'
import {networkInterfaces} from 'node:os'
import {BodyTooLargeError, readBody} from '../../net/http-body.js'
import {replyJson} from '../../net/http-reply.js'
import {formatHostPort} from '../../util/host-port.js'
import {type Log, silentLog} from '../../util/log.js'
import {createTurnApiEmulator, type TurnApiEmulator} from '../turn-api/turn-api-emulator.js'
import {adaptersClose, adaptersNew} from './adapters.js'
import {ApiError} from './api-error.js'
import {DataChannels} from './datachannels.js'
import * as handlers from './handlers.js'
import {matchRoute, type Route} from './routes.js'
import type {MediaCounters} from './sfu-forward.js'
import {tracksClose, tracksNew, tracksUpdate} from './sfu-tracks.js'
import {DEFAULT_LIMITS, DEFAULT_TIMINGS, type EmulatorLimits, EmulatorState} from './state.js'

export interface CallsEmulatorTurnOptions {
  /** STUN URLs handed out with the credentials. */
  stunUrls: readonly string[]
  /** TURN URLs handed out (of a local TURN server, e.g. coturn). */
  turnUrls: readonly string[]
  /** coturn `static-auth-secret`: the handed-out credentials then really work on that server. */
  sharedSecret?: string
  /** TURN key id → API token. */
  keys: ReadonlyMap<string, string>
}

export interface CallsEmulatorOptions {
  /** Listen address. Default 127.0.0.1. */
  host?: string
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number
  /** App id → app secret. */
  apps: ReadonlyMap<string, string>
  turn?: CallsEmulatorTurnOptions
  /** Media silence after which a track is collected, and a lost session expires. Default 30000 ms. */
  inactivityMs?: number
  /** A session that never connects expires after this. Default 30000 ms. */
  unconnectedExpiryMs?: number
  /** How long a mutation waits for a negotiated session's connection before 425. Default 5000 ms. */
  connectWaitMs?: number
  /**
   * How long a pull waits for a publication's first packet (its publisher connecting and starting to send)
   * before answering `not_found_track_error` for it. Default: connectWaitMs.
   */
  publisherWaitMs?: number
  /** Host addresses of the media plane (ICE candidates). Default: the listen host, or every IPv4 interface for 0.0.0.0. */
  mediaAddresses?: readonly string[]
  limits?: Partial<EmulatorLimits>
  log?: Log
  /** Clock for expiry decisions (tests). Default Date.now. */
  now?: () => number
}

export interface CallsEmulatorStats {
  sessions: {live: number; connected: number; created: number; expired: number}
  tracks: {published: number; subscribed: number; collected: number}
  media: MediaCounters
  requests: {total: number; byStatus: Record<string, number>}
  /** Open werift peer connections. */
  peerConnections: number
}

export interface SessionSnapshot {
  sessionId: string
  appId: string
  connected: boolean
  pendingOffer: boolean
  tracks: {
    location: 'local' | 'remote'
    mid: string
    trackName: string
    status: string
    kind: 'audio' | 'video'
    packets: number
    /** Payload types the subscriber's packets carry (remote tracks). */
    payloadTypes: number[]
    /** Packets per simulcast RID received (local tracks; '' for a stream without simulcast). */
    layers: Record<string, number>
    /** The simulcast layer forwarded now (remote tracks of a simulcast publication), else null. */
    rid: string | null
  }[]
}

export interface CallsEmulator {
  /** `http://host:port` */
  url: string
  /** What to pass as `--calls-api-base` / `apiBase`: `http://host:port/v1`. */
  apiBase: string
  host: string
  port: number
  stats(): CallsEmulatorStats
  /** The live sessions and their tracks. */
  inspect(): SessionSnapshot[]
  /** Runs garbage collection now (it also runs on a timer). */
  sweep(): void
  /**
   * Expires a session now, as Calls does after a lost connection: its peer connection closes and later
   * requests on it answer 410. For testing reconnect logic. Returns false for an unknown session.
   */
  expireSession(sessionId: string, reason?: string): boolean
  close(): Promise<void>
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  replyJson(res, status, body, {headers: {vary: 'Origin', 'access-control-allow-origin': '*', ...headers}})
}

/** The body, at most `max` bytes; undefined when it is larger. */
async function readRequestBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  try {
    return await readBody(req, max)
  } catch (error) {
    if (error instanceof BodyTooLargeError) return undefined
    throw new ApiError(400, 'decoding_error', 'The request body was cut off')
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function defaultMediaAddresses(host: string): string[] {
  if (host === '' || host === '0.0.0.0' || host === '::') {
    const all = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && i.family === 'IPv4' && !i.address.startsWith('169.254.'))
      .map((i) => (i as {address: string}).address)
    return all.length > 0 ? all : ['127.0.0.1']
  }
  if (host === 'localhost') return ['127.0.0.1']
  if (isIPv4(host) || isIPv6(host)) return [host]
  return ['127.0.0.1']
}

/** What a running emulator's request handling needs. */
interface Emulator {
  options: CallsEmulatorOptions
  state: EmulatorState
  limits: EmulatorLimits
  now: () => number
  ctx: handlers.HandlerContext
  dataChannels: DataChannels
  turn: TurnApiEmulator | undefined
  requests: {total: number; byStatus: Record<string, number>}
}

function createEmulator(options: CallsEmulatorOptions, host: string): Emulator {
  const log = options.log ?? silentLog
  const now = options.now ?? Date.now
  const limits: EmulatorLimits = {...DEFAULT_LIMITS, ...options.limits}
  const state = new EmulatorState({
    inactivityMs: options.inactivityMs ?? DEFAULT_TIMINGS.inactivityMs,
    unconnectedExpiryMs: options.unconnectedExpiryMs ?? DEFAULT_TIMINGS.unconnectedExpiryMs,
    hostAddresses: options.mediaAddresses ?? defaultMediaAddresses(host),
    limits,
    now,
    log,
  })
  const connectWaitMs = options.connectWaitMs ?? DEFAULT_TIMINGS.connectWaitMs
  const ctx: handlers.HandlerContext = {
    state,
    connectWaitMs,
    publisherWaitMs: options.publisherWaitMs ?? connectWaitMs,
    log,
  }
  const turn: TurnApiEmulator | undefined = options.turn
    ? createTurnApiEmulator({
        keys: options.turn.keys,
        stunUrls: options.turn.stunUrls,
        turnUrls: options.turn.turnUrls,
        ...(options.turn.sharedSecret !== undefined && {sharedSecret: options.turn.sharedSecret}),
      })
    : undefined
  const requests = {total: 0, byStatus: {} as Record<string, number>}
  return {options, state, limits, now, ctx, dataChannels: new DataChannels(), turn, requests}
}

/** Runs the handler of a matched route (session routes within the session's request rate). */
async function dispatch(emulator: Emulator, route: Route, query: URLSearchParams, text: string) {
  const {ctx, state, limits, dataChannels} = emulator
  if (route.name === 'sessions.new') return handlers.newSession(ctx, route.appId, query, text)
  if (route.name === 'adapters.new') return adaptersNew(text)
  if (route.name === 'adapters.close') return adaptersClose(text)
  const session = state.get(route.appId, route.sessionId as string)
  if (!session.admitRequest(emulator.now(), limits.requestsPerSecond)) {
    throw new ApiError(
      429,
      undefined,
      `Too many requests: at most ${limits.requestsPerSecond} API calls per second per session`,
      {'retry-after': '1'},
    )
  }
  switch (route.name) {
    case 'session.get':
      return handlers.getSession(session, dataChannels.stateOf(session))
    case 'tracks.new':
      return tracksNew(ctx, session, text)
    case 'tracks.update':
      return tracksUpdate(ctx, session, text)
    case 'tracks.close':
      return tracksClose(ctx, session, text)
    case 'renegotiate':
      return handlers.renegotiate(ctx, session, text)
    default:
      return dataChannels.handle(route.name, ctx, session, text)
  }
}

/** Answers one request; returns the status answered. Order: CORS preflight, TURN API, route, app, auth, body. */
async function handle(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const url = new URL(req.url ?? '/', 'http://emulator')
  const method = req.method ?? 'GET'
  if (method === 'OPTIONS') {
    res.writeHead(204, {...CORS, vary: 'Origin'}).end()
    return 204
  }
  if (emulator.turn && url.pathname.startsWith('/v1/turn/')) {
    if (await emulator.turn.handle(req, res, url.pathname.slice(3))) return res.statusCode
  }
  const route = matchRoute(method, url.pathname)
  if ('status' in route) {
    const allow = route.status === 405 ? {allow: route.allow} : undefined
    const description = route.status === 405 ? `Use ${route.allow} on this path` : 'No such endpoint'
    send(res, route.status, {errorCode: 'not_found', errorDescription: description}, allow)
    return route.status
  }
  const secret = emulator.options.apps.get(route.appId)
  if (secret === undefined) {
    send(res, 404, {errorCode: 'not_found', errorDescription: 'App not found'})
    return 404
  }
  const auth = req.headers.authorization ?? ''
  if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), secret)) {
    send(res, 401, {errorCode: 'unauthorized', errorDescription: 'Unauthorized: the app secret was not accepted'})
    return 401
  }
  const max = emulator.limits.maxBodyBytes
  const text = await readRequestBody(req, max)
  if (text === undefined) {
    const body = {errorCode: 'payload_too_large', errorDescription: `The request body exceeds ${max} bytes`}
    send(res, 413, body, {connection: 'close'})
    return 413
  }
  const result = await dispatch(emulator, route, url.searchParams, text)
  send(res, result.status, result.body)
  return result.status
}

/** The API's HTTP server: every request answered (a handler bug is a logged 500), and counted by status. */
function createEmulatorServer(emulator: Emulator, log: Log): Server {
  const {requests} = emulator
  const server = createServer((req, res) => {
    requests.total += 1
    handle(emulator, req, res)
      .catch((error: unknown) => {
        if (error instanceof ApiError) {
          send(res, error.status, error.body, error.headers)
          return error.status
        }
        log({
          level: 'error',
          event: 'calls.emulator.bug',
          msg: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
          stack: error instanceof Error ? error.stack : undefined,
        })
        send(res, 500, {errorCode: 'internal_error', errorDescription: 'Backend error'})
        return 500
      })
      .then((status) => {
        const key = String(status)
        requests.byStatus[key] = (requests.byStatus[key] ?? 0) + 1
      })
      .catch(() => {})
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  return server
}

function statsOf({state, requests}: Emulator): CallsEmulatorStats {
  let published = 0
  let subscribed = 0
  let connected = 0
  let peers = 0
  for (const session of state.sessions.values()) {
    if (session.connected) connected += 1
    if (session.pc) peers += 1
    for (const record of session.tracks.values()) {
      if (session.statusOf(record) !== 'active') continue
      if (record.location === 'local') published += 1
      else subscribed += 1
    }
  }
  return {
    sessions: {
      live: state.sessions.size,
      connected,
      created: state.totals.sessionsCreated,
      expired: state.totals.sessionsExpired,
    },
    tracks: {published, subscribed, collected: state.totals.tracksCollected},
    media: {...state.counters},
    requests: {total: requests.total, byStatus: {...requests.byStatus}},
    peerConnections: peers,
  }
}

function inspectSessions(state: EmulatorState): SessionSnapshot[] {
  return [...state.sessions.values()].map((session) => ({
    sessionId: session.id,
    appId: session.appId,
    connected: session.connected,
    pendingOffer: session.pendingOffer,
    tracks: [...session.tracks.values()].map((record) => ({
      location: record.location,
      mid: record.mid,
      trackName: record.trackName,
      status: session.statusOf(record),
      kind: record.kind,
      packets: record.location === 'local' ? (record.publication?.packets ?? 0) : (record.subscription?.packets ?? 0),
      payloadTypes: record.location === 'remote' ? record.transceiver.codecs.map((c) => c.payloadType) : [],
      layers: record.publication?.layerPackets() ?? {},
      rid: record.subscription?.currentRid ?? null,
    })),
  }))
}

export async function startCallsEmulator(options: CallsEmulatorOptions): Promise<CallsEmulator> {
  const host = options.host ?? '127.0.0.1'
  const emulator = createEmulator(options, host)
  const {state} = emulator
  const server = createEmulatorServer(emulator, options.log ?? silentLog)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const inactivityMs = options.inactivityMs ?? DEFAULT_TIMINGS.inactivityMs
  const unconnectedExpiryMs = options.unconnectedExpiryMs ?? DEFAULT_TIMINGS.unconnectedExpiryMs
  const sweepEvery = Math.max(20, Math.min(1000, Math.floor(Math.min(inactivityMs, unconnectedExpiryMs) / 4)))
  const sweeper = setInterval(() => state.sweep(), sweepEvery)
  sweeper.unref()
  const url = `http://${formatHostPort({host: address.address, port: address.port})}`
  let closed: Promise<void> | undefined

  return {
    url,
    apiBase: `${url}/v1`,
    host: address.address,
    port: address.port,
    stats: () => statsOf(emulator),
    inspect: () => inspectSessions(state),
    sweep: () => state.sweep(),
    expireSession(sessionId, reason = 'expired on request') {
      const session = state.sessions.get(sessionId)
      if (!session) return false
      state.expire(session, reason)
      return true
    },
    close() {
      closed ??= (async () => {
        clearInterval(sweeper)
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        await state.close()
        emulator.dataChannels.close()
      })()
      return closed
    },
  }
}
