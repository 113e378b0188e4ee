/**
 * Cloudflare TURN credentials (Realtime TURN): short-lived ICE servers minted from a long-lived TURN key.
 *
 *   POST {apiBase}/turn/keys/{keyId}/credentials/generate-ice-servers  {"ttl": 86400}  → 201 {"iceServers": [...]}
 *   POST {apiBase}/turn/keys/{keyId}/credentials/generate              (legacy)        → 201 {"iceServers": {...}}
 *   POST {apiBase}/turn/keys/{keyId}/credentials/{username}/revoke                     → 204
 *
 * Port-53 URLs are dropped by default: browsers block port 53, and without trickle ICE a dead URL costs a
 * full timeout (docs/cloudflare-turn.md §2.1).
 */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import {type HttpResponse, headerValue, httpRequest} from '../net/http.js'

/** Cloudflare's maximum credential lifetime: 48 hours. */
export const MAX_TURN_TTL_SECONDS = 48 * 3600

export interface CloudflareTurnOptions {
  keyId: string
  /** The TURN key's API token (a secret). */
  token: string
  /** Default `https://rtc.live.cloudflare.com/v1`. */
  apiBase?: string
  timeoutMs?: number
  signal?: AbortSignal
  dispatcher?: Dispatcher
}

export interface GenerateOptions extends CloudflareTurnOptions {
  /** Credential lifetime in seconds, 1 to 172800. Default 86400. */
  ttlSeconds?: number
  /** Use the legacy `credentials/generate` endpoint (one ice-server object). */
  legacy?: boolean
  /** Keep port-53 URLs (normally dropped). */
  includePort53?: boolean
  now?: () => number
}

export interface TurnCredentials {
  /** Ready for `new RTCPeerConnection({iceServers})`, werift, or MediaMTX's webrtcICEServers2. */
  iceServers: IceServer[]
  /** The TURN user name (needed to revoke). */
  username: string | null
  ttlSeconds: number
  /** ISO time the credential stops working. */
  expiresAt: string
  /** URLs removed because they use port 53. */
  droppedUrls: string[]
  endpoint: 'generate-ice-servers' | 'generate'
}

const DEFAULT_API = 'https://rtc.live.cloudflare.com/v1'

function keyUrl(options: CloudflareTurnOptions, tail: string): string {
  const base = (options.apiBase ?? DEFAULT_API).replace(/\/+$/, '')
  return `${base}/turn/keys/${encodeURIComponent(options.keyId)}/credentials/${tail}`
}

function authHeaders(options: CloudflareTurnOptions): Record<string, string> {
  return {authorization: `Bearer ${options.token}`, 'content-type': 'application/json'}
}

/** The body's error text, if it is one of Cloudflare's JSON error shapes. */
function errorText(response: HttpResponse): string {
  try {
    const body = JSON.parse(response.body) as {errors?: {message?: string}[]; error?: string; message?: string}
    return body.errors?.[0]?.message ?? body.error ?? body.message ?? ''
  } catch {
    return response.body.slice(0, 200)
  }
}

function checkStatus(response: HttpResponse, step: string, expected: number, keyId: string): void {
  if (response.status === expected) return
  const detail = errorText(response)
  const said = detail ? `: ${detail}` : ''
  if (response.status === 401 || response.status === 403) {
    throw new R58Error('E_AUTH', `${step}: the TURN API rejected the key token (HTTP ${response.status}${said})`, {
      field: 'turn.keyToken',
      hint: 'Check --turn-key-token-file (or R58_TURN_KEY_TOKEN): it must be the API token of this TURN key.',
    })
  }
  if (response.status === 404) {
    throw new R58Error('E_AUTH', `${step}: TURN key ${keyId} not found (HTTP 404${said})`, {
      field: 'turn.keyId',
      hint: 'Check --turn-key-id (R58_TURN_KEY_ID) against the TURN keys of your Cloudflare account.',
    })
  }
  const retry = headerValue(response, 'retry-after')
  throw new R58Error('E_PROTOCOL', `${step}: unexpected HTTP ${response.status}${said}`, {
    hint: retry ? `The API asks to retry after ${retry} s.` : undefined,
  })
}

function isIceServer(value: unknown): value is IceServer {
  if (value === null || typeof value !== 'object') return false
  const urls = (value as {urls?: unknown}).urls
  return typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'))
}

function portOf(url: string): number | undefined {
  const match = /:(\d+)(?:\?|$)/.exec(url)
  return match ? Number(match[1]) : undefined
}

/** Splits off port-53 URLs (and drops servers left with none). */
export function dropPort53(servers: readonly IceServer[]): {kept: IceServer[]; dropped: string[]} {
  const dropped: string[] = []
  const kept: IceServer[] = []
  for (const server of servers) {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls]
    const good = urls.filter((url) => {
      if (portOf(url) !== 53) return true
      dropped.push(url)
      return false
    })
    if (good.length > 0) kept.push({...server, urls: good})
  }
  return {kept, dropped}
}

/** Mints TURN credentials. Throws E_AUTH on a rejected token or unknown key, E_UNREACHABLE/E_TIMEOUT offline. */
export async function fetchCloudflareIceServers(options: GenerateOptions): Promise<TurnCredentials> {
  const ttl = options.ttlSeconds ?? 86400
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TURN_TTL_SECONDS) {
    throw new R58Error('E_USAGE', `--ttl: expected 1s to 48h, got ${ttl}s`, {
      field: '--ttl',
      hint: 'Cloudflare TURN credentials live at most 48 hours; refresh them with `r58 mediamtx turn-refresh`.',
    })
  }
  const endpoint = options.legacy ? 'generate' : 'generate-ice-servers'
  const step = `TURN ${endpoint}`
  const response = await httpRequest(keyUrl(options, endpoint), {
    method: 'POST',
    headers: authHeaders(options),
    body: JSON.stringify({ttl}),
    step,
    timeoutMs: options.timeoutMs ?? 5000,
    maxBodyBytes: 64 * 1024,
    ...(options.signal && {signal: options.signal}),
    ...(options.dispatcher && {dispatcher: options.dispatcher}),
  })
  // Cloudflare documents 201; accept 200 too, which some proxies and older deployments return.
  checkStatus(response.status === 200 ? {...response, status: 201} : response, step, 201, options.keyId)
  let body: {iceServers?: unknown}
  try {
    body = JSON.parse(response.body) as {iceServers?: unknown}
  } catch {
    throw new R58Error('E_PROTOCOL', `${step}: the response is not JSON`)
  }
  const raw = Array.isArray(body.iceServers) ? body.iceServers : body.iceServers === undefined ? [] : [body.iceServers]
  if (raw.length === 0 || !raw.every(isIceServer)) {
    throw new R58Error('E_PROTOCOL', `${step}: the response has no valid "iceServers"`)
  }
  const {kept, dropped} = options.includePort53 ? {kept: raw, dropped: []} : dropPort53(raw)
  const username = kept.find((server) => server.username !== undefined)?.username ?? null
  const now = options.now?.() ?? Date.now()
  return {
    iceServers: kept,
    username,
    ttlSeconds: ttl,
    expiresAt: new Date(now + ttl * 1000).toISOString(),
    droppedUrls: dropped,
    endpoint,
  }
}

export interface RevokeResult {
  username: string
  revoked: true
}

/** Revokes one TURN credential by user name (204). */
export async function revokeCloudflareTurnCredential(
  options: CloudflareTurnOptions & {username: string},
): Promise<RevokeResult> {
  const step = 'TURN revoke'
  const response = await httpRequest(keyUrl(options, `${encodeURIComponent(options.username)}/revoke`), {
    method: 'POST',
    headers: authHeaders(options),
    step,
    timeoutMs: options.timeoutMs ?? 5000,
    maxBodyBytes: 64 * 1024,
    ...(options.signal && {signal: options.signal}),
    ...(options.dispatcher && {dispatcher: options.dispatcher}),
  })
  checkStatus(response.status === 200 ? {...response, status: 204} : response, step, 204, options.keyId)
  return {username: options.username, revoked: true}
}
