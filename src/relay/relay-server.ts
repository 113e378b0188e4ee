/**
 * `r58 relay start` as a library call: the HTTP front, the Calls engine and the guests' ICE servers,
 * listening until closed. Closing stops accepting, ends every session (DELETE in MediaMTX, Calls tracks
 * closed) and frees the listener.
 */
import {chmod} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {CallsClient} from '../calls/calls-client.js'
import {Redactor} from '../config/redact.js'
import {R58Error, systemErrorCode} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import type {PeerOptions} from '../media/peer.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {fetchCloudflareIceServers} from '../turn/cloudflare-credentials.js'
import type {Log} from '../util/log.js'
import {createAdminHandler} from './admin.js'
import {CallsRelayEngine} from './calls-engine.js'
import type {TrustProxy} from './client-address.js'
import type {RelayEngine} from './engine.js'
import {createIngressHandler} from './ingress.js'
import type {ModeDecision} from './mode.js'
import {udpSocketCount} from './mode.js'
import {RateLimiter} from './rate-limit.js'
import type {SessionTimings} from './relay-session.js'
import {newRequestCounters} from './router.js'
import {type ConflictPolicy, SessionSlots} from './slots.js'
import {allTokens, type TokenTable, tokenCount} from './tokens.js'

/** Where the operator listener is: a loopback address, or a Unix socket (made mode 0600). */
export type AdminListen = {host: string; port: number} | {socketPath: string}

import {setUpWhepMode, type WhepModeOptions} from './whep-setup.js'

export interface RelayOptions {
  host: string
  /** 0 picks a free port. */
  port: number
  calls: {appId: string; appSecret: string; apiBase?: string | undefined}
  /** WHIP URL template, `{path}` replaced by the guest's path. Default MediaMTX's form on this box. */
  target?: string | undefined
  targetToken?: string | undefined
  tokens: TokenTable
  /** Serve without tokens: only allowed on a loopback listen address. */
  open?: boolean
  allowOrigins?: readonly string[]
  maxSessions?: number
  /** Operator listener (status, pull, health, metrics). Default 127.0.0.1 on a free port. */
  admin?: AdminListen
  /** Which forwarding header to believe from a local proxy. Default none: the socket address. */
  trustProxy?: TrustProxy
  /** Also serve /healthz and /metrics on the guest listener. */
  publicMetrics?: boolean
  /** A second publisher on a busy path: 409 (default), or end the first one. */
  onConflict?: ConflictPolicy
  /** STUN URLs for guests and for the relay's own connection to Calls. */
  stunUrls?: readonly string[]
  /** Cloudflare TURN key: guests get short-lived TURN credentials in the Link headers. */
  turnKey?: {keyId: string; token: string; apiBase?: string | undefined} | undefined
  /** Requests per second per guest address (burst twice that). Default 5. */
  ratePerSecond?: number
  /** Override the werift options of either leg (tests, unusual networks). */
  pullPeer?: PeerOptions
  publishPeer?: PeerOptions
  timings?: Partial<SessionTimings>
  log: Log
  /** issue 14: `whep` mode (MediaMTX pulls guests from Calls) vs `forward`; library default `forward`. */
  whep?: WhepModeOptions
}

export interface RunningRelay {
  url: string
  port: number
  /** The operator listener: `http://127.0.0.1:<port>`, or `unix:<path>`. */
  adminUrl: string
  engine: RelayEngine
  /** issue 14: the mode in use and why. */
  mode: ModeDecision
  server: Server
  adminServer: Server
  close(): Promise<void>
}

export const DEFAULT_RELAY_TARGET = 'http://127.0.0.1:8889/{path}/whip'
const TURN_TTL_SECONDS = 86_400

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return ''
  }
}

/** Guests' ICE servers: STUN, plus Cloudflare TURN credentials refreshed at half their lifetime. */
function guestIceServers(options: RelayOptions): () => Promise<IceServer[]> {
  const stun: IceServer[] = options.stunUrls && options.stunUrls.length > 0 ? [{urls: [...options.stunUrls]}] : []
  let cached: {servers: IceServer[]; refreshAt: number} | undefined
  return async () => {
    if (!options.turnKey) return stun
    if (cached && Date.now() < cached.refreshAt) return cached.servers
    try {
      const {keyId, token, apiBase} = options.turnKey
      const minted = await fetchCloudflareIceServers({
        keyId,
        token,
        ...(apiBase && {apiBase}),
        ttlSeconds: TURN_TTL_SECONDS,
        timeoutMs: 3000,
      })
      const turn = minted.iceServers.filter((s) =>
        (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => /^turns?:/.test(u)),
      )
      cached = {servers: [...stun, ...turn], refreshAt: Date.now() + (TURN_TTL_SECONDS * 1000) / 2}
      return cached.servers
    } catch (error) {
      options.log({
        level: 'warn',
        event: 'relay.turn.failed',
        msg: `no TURN credentials for guests: ${(error as Error).message}`,
      })
      return stun
    }
  }
}

/** The relay is internet-facing: it runs with tokens, or without only on a loopback listener. */
export function requireAuthentication(tokens: TokenTable, open: boolean | undefined, host: string): void {
  if (tokenCount(tokens) === 0 && !open) {
    throw new R58Error('E_USAGE', 'No relay token configured: guests could publish without credentials', {
      field: '--relay-token-file',
      hint: 'Set R58_RELAY_TOKEN, --relay-token-file or --relay-tokens-file (make one with `openssl rand -hex 24`).',
    })
  }
  if (open && !isLoopbackAddress(host)) {
    throw new R58Error(
      'E_USAGE',
      `--insecure-no-auth is refused on ${host}: only a loopback listener may run without tokens`,
      {
        field: '--insecure-no-auth',
      },
    )
  }
}

/** Every secret the relay holds, so that none of them can reach a log line. */
export function relaySecrets(options: Pick<RelayOptions, 'tokens' | 'calls' | 'targetToken' | 'turnKey'>): string[] {
  return [
    ...allTokens(options.tokens),
    options.calls.appSecret,
    ...(options.targetToken ? [options.targetToken] : []),
    ...(options.turnKey ? [options.turnKey.token] : []),
  ]
}

function listenError(error: unknown, where: string, field: string, flag: string): R58Error {
  const code = systemErrorCode(error)
  return new R58Error('E_CONFIG', `Cannot listen on ${where}: ${code ?? String(error)}`, {
    field,
    hint: code === 'EADDRINUSE' ? `Another process uses it; pick another with ${flag}.` : undefined,
    cause: error,
  })
}

function listen(server: Server, target: AdminListen, field: string, flag: string): Promise<void> {
  const where = 'socketPath' in target ? target.socketPath : `${target.host}:${target.port}`
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, where, field, flag)))
    if ('socketPath' in target) server.listen(target.socketPath, resolve)
    else server.listen(target.port, target.host, resolve)
  })
}

const urlOf = (server: Server, host: string) => {
  const {port} = server.address() as AddressInfo
  return {port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`}
}

/** The operator listener answers without a token: loopback or a Unix socket only. */
function adminListen(options: RelayOptions): AdminListen {
  const admin = options.admin ?? {host: '127.0.0.1', port: 0}
  if ('host' in admin && !isLoopbackAddress(admin.host)) {
    throw new R58Error('E_USAGE', `--admin-listen ${admin.host} is not a loopback address`, {
      field: '--admin-listen',
      hint: 'The operator listener answers without a token: keep it on 127.0.0.1 or a Unix socket path.',
    })
  }
  return admin
}

/** The engine of the mode in use: whep (MediaMTX pulls each guest from Calls itself) or forward (the default). */
async function createEngine(options: RelayOptions, log: Log) {
  const apiBase = options.calls.apiBase
  const target = options.target ?? DEFAULT_RELAY_TARGET
  const stunServers = options.stunUrls && options.stunUrls.length > 0 ? [{urls: [...options.stunUrls]}] : []
  const local = ['127.0.0.1']
  const calls = new CallsClient({
    appId: options.calls.appId,
    appSecret: options.calls.appSecret,
    ...(apiBase && {apiBase}),
    log,
  })
  // issue 14: in whep mode MediaMTX pulls each guest from Calls itself; forward mode is the default.
  const whep = await setUpWhepMode({
    mode: 'forward',
    ...options.whep,
    calls,
    guestIceServers: guestIceServers({...options, log}),
    log,
  })
  const engine: RelayEngine =
    whep.engine ??
    new CallsRelayEngine({
      calls,
      target,
      targetToken: options.targetToken,
      pullPeer:
        options.pullPeer ??
        (apiBase && isLoopbackAddress(hostOf(apiBase)) ? {hostAddresses: local} : {iceServers: stunServers}),
      publishPeer:
        options.publishPeer ??
        (isLoopbackAddress(hostOf(target.replaceAll('{path}', 'p'))) ? {hostAddresses: local} : {}),
      guestIceServers: guestIceServers({...options, log}),
      ...(options.timings && {timings: options.timings}),
      log,
    })
  return {engine, whep}
}

/** The guest listener and the operator listener, not yet listening. */
function createServers(options: RelayOptions, log: Log, engine: RelayEngine, describe: () => Record<string, unknown>) {
  const maxSessions = options.maxSessions ?? 10
  const slots = new SessionSlots(engine, maxSessions, options.onConflict)
  const counters = newRequestCounters()
  const ratePerSecond = options.ratePerSecond ?? 5
  const handler = createIngressHandler({
    engine,
    tokens: options.tokens,
    ...(options.open !== undefined && {open: options.open}),
    allowOrigins: options.allowOrigins ?? ['*'],
    maxSessions,
    slots,
    counters,
    ...(options.trustProxy && {trustProxy: options.trustProxy}),
    ...(options.publicMetrics && {publicMetrics: true}),
    rateLimiter: new RateLimiter({ratePerSecond, burst: 2 * ratePerSecond}),
    log,
  })
  const timeouts = {requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000}
  const server = createServer(timeouts, handler)
  server.maxConnections = 512
  const adminServer = createServer(timeouts, createAdminHandler({engine, slots, counters, log, describe}))
  adminServer.maxConnections = 64
  return {server, adminServer}
}

/** Both listeners listening, or neither (the guest one is closed again when the operator one fails). */
async function listenBoth(options: RelayOptions, server: Server, adminServer: Server, admin: AdminListen) {
  await listen(server, {host: options.host, port: options.port}, 'relay.listen', '--relay-listen')
  try {
    await listen(adminServer, admin, 'relay.adminListen', '--admin-listen')
    if ('socketPath' in admin) await chmod(admin.socketPath, 0o600)
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    if (adminServer.listening) await new Promise<void>((resolve) => adminServer.close(() => resolve()))
    throw error
  }
}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  requireAuthentication(options.tokens, options.open, options.host)
  const admin = adminListen(options)
  const redactor = new Redactor()
  for (const secret of relaySecrets(options)) redactor.add(secret)
  const log: Log = (event) => options.log(redactor.redactDeep(event))
  const {engine, whep} = await createEngine(options, log)
  const {server, adminServer} = createServers(options, log, engine, () => ({
    mode: whep.decision.mode,
    modeReason: whep.decision.reason,
    udpSockets: udpSocketCount(),
  }))
  await listenBoth(options, server, adminServer, admin)
  const {port, url} = urlOf(server, options.host)
  const adminUrl = 'socketPath' in admin ? `unix:${admin.socketPath}` : urlOf(adminServer, admin.host).url
  let closing: Promise<void> | undefined
  return {
    url,
    port,
    adminUrl,
    engine,
    mode: whep.decision,
    server,
    adminServer,
    close: () => {
      closing ??= (async () => {
        const stopped = Promise.all(
          [server, adminServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
        )
        await engine.shutdown()
        await whep.close()
        server.closeAllConnections()
        adminServer.closeAllConnections()
        await stopped
      })()
      return closing
    },
  }
}
