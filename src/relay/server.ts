/**
 * `r58 relay start` as a library call: the HTTP front, the Calls engine and the guests' ICE servers,
 * listening until closed. Closing stops accepting, ends every session (DELETE in MediaMTX, Calls tracks
 * closed) and frees the listener.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {CallsClient} from '../calls/client.js'
import {R58Error, systemErrorCode} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import type {PeerOptions} from '../media/peer.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {fetchCloudflareIceServers} from '../turn/cloudflare-credentials.js'
import type {Log} from '../util/log.js'
import {CallsRelayEngine} from './calls-engine.js'
import {createIngressHandler} from './ingress.js'
import {RateLimiter} from './rate-limit.js'
import type {SessionTimings} from './session.js'
import {type TokenTable, tokenCount} from './tokens.js'

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
}

export interface RunningRelay {
  url: string
  port: number
  engine: CallsRelayEngine
  server: Server
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

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  requireAuthentication(options.tokens, options.open, options.host)
  const apiBase = options.calls.apiBase
  const target = options.target ?? DEFAULT_RELAY_TARGET
  const stunServers = options.stunUrls && options.stunUrls.length > 0 ? [{urls: [...options.stunUrls]}] : []
  const local = ['127.0.0.1']
  const engine = new CallsRelayEngine({
    calls: new CallsClient({
      appId: options.calls.appId,
      appSecret: options.calls.appSecret,
      ...(apiBase && {apiBase}),
      log: options.log,
    }),
    target,
    targetToken: options.targetToken,
    pullPeer:
      options.pullPeer ??
      (apiBase && isLoopbackAddress(hostOf(apiBase)) ? {hostAddresses: local} : {iceServers: stunServers}),
    publishPeer:
      options.publishPeer ??
      (isLoopbackAddress(hostOf(target.replaceAll('{path}', 'p'))) ? {hostAddresses: local} : {}),
    guestIceServers: guestIceServers(options),
    ...(options.timings && {timings: options.timings}),
    log: options.log,
  })
  const handler = createIngressHandler({
    engine,
    tokens: options.tokens,
    ...(options.open !== undefined && {open: options.open}),
    allowOrigins: options.allowOrigins ?? ['*'],
    maxSessions: options.maxSessions ?? 10,
    rateLimiter: new RateLimiter({ratePerSecond: options.ratePerSecond ?? 5, burst: 2 * (options.ratePerSecond ?? 5)}),
    log: options.log,
  })
  const server = createServer({requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000}, handler)
  server.maxConnections = 512
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      const code = systemErrorCode(error)
      reject(
        new R58Error('E_CONFIG', `Cannot listen on ${options.host}:${options.port}: ${code ?? String(error)}`, {
          field: 'relay.listen',
          hint: code === 'EADDRINUSE' ? 'Another process uses that port; pick another with --relay-listen.' : undefined,
          cause: error,
        }),
      )
    })
    server.listen(options.port, options.host, resolve)
  })
  const {port} = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    port,
    engine,
    server,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        await engine.shutdown()
        server.closeAllConnections()
        await stopped
      })()
      return closing
    },
  }
}
