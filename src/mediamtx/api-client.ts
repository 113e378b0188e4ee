/**
 * MediaMTX control API client (v3, MediaMTX v1.2.0+), tolerant of the field renames across versions:
 * `ready` → `available` (v1.16), `bytesReceived` → `inboundBytes` (v1.17), `/v3/info` only since v1.15.2.
 * Results are normalised to one shape so callers never branch on the server version.
 */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import {type HttpResponse, httpRequest} from '../net/http.js'

export interface MediamtxApiOptions {
  /** e.g. `http://127.0.0.1:9997` */
  baseUrl: string
  user?: string | undefined
  password?: string | undefined
  timeoutMs?: number
  signal?: AbortSignal
  dispatcher?: Dispatcher
}

export interface MediamtxInfo {
  /** `v1.20.1`, or null when the server predates `/v3/info` (v1.15.2). */
  version: string | null
  started: string | null
}

export interface MediamtxPathState {
  name: string
  /** `available` (v1.16+) or `ready`: the path has a stream. */
  ready: boolean
  source: {type: string; id: string} | null
  /** `inboundBytes` (v1.17+) or `bytesReceived`. */
  inboundBytes: number
  /** Codec names of the tracks. */
  tracks: string[]
  readers: number
}

export interface MediamtxWebrtcSession {
  id: string
  created: string | null
  remoteAddr: string
  peerConnectionEstablished: boolean
  /** Selected pair, `type/protocol/address/port`, e.g. `host/udp/192.168.1.58/8189`. */
  localCandidate: string
  remoteCandidate: string
  /** `publish` or `read`. */
  state: string
  path: string
  inboundBytes: number
  inboundRTPPackets: number | null
  inboundRTPPacketsLost: number | null
}

const num = (...values: unknown[]): number => {
  for (const value of values) if (typeof value === 'number') return value
  return 0
}
const optionalNum = (...values: unknown[]): number | null => {
  for (const value of values) if (typeof value === 'number') return value
  return null
}
const text = (value: unknown): string => (typeof value === 'string' ? value : '')

export function normalizePath(raw: Record<string, unknown>): MediamtxPathState {
  const source = raw['source'] as {type?: unknown; id?: unknown} | null | undefined
  const tracks2 = raw['tracks2'] as {codec?: unknown}[] | undefined
  const tracks = Array.isArray(tracks2)
    ? tracks2.map((t) => text(t.codec))
    : Array.isArray(raw['tracks'])
      ? (raw['tracks'] as unknown[]).map((t) => (typeof t === 'string' ? t : text((t as {codec?: unknown})?.codec)))
      : []
  return {
    name: text(raw['name']),
    ready: typeof raw['available'] === 'boolean' ? raw['available'] : raw['ready'] === true,
    source: source && typeof source === 'object' ? {type: text(source.type), id: text(source.id)} : null,
    inboundBytes: num(raw['inboundBytes'], raw['bytesReceived']),
    tracks,
    readers: Array.isArray(raw['readers']) ? raw['readers'].length : 0,
  }
}

export function normalizeWebrtcSession(raw: Record<string, unknown>): MediamtxWebrtcSession {
  return {
    id: text(raw['id']),
    created: typeof raw['created'] === 'string' ? raw['created'] : null,
    remoteAddr: text(raw['remoteAddr']),
    peerConnectionEstablished: raw['peerConnectionEstablished'] === true,
    localCandidate: text(raw['localCandidate']),
    remoteCandidate: text(raw['remoteCandidate']),
    state: text(raw['state']),
    path: text(raw['path']),
    inboundBytes: num(raw['inboundBytes'], raw['bytesReceived']),
    inboundRTPPackets: optionalNum(raw['inboundRTPPackets'], raw['rtpPacketsReceived']),
    inboundRTPPacketsLost: optionalNum(raw['inboundRTPPacketsLost'], raw['rtpPacketsLost']),
  }
}

export class MediamtxApi {
  readonly #options: MediamtxApiOptions

  constructor(options: MediamtxApiOptions) {
    this.#options = {...options, baseUrl: options.baseUrl.replace(/\/+$/, '')}
  }

  private async call(method: 'GET' | 'PATCH' | 'POST', path: string, body?: unknown): Promise<HttpResponse> {
    const {user, password} = this.#options
    const headers: Record<string, string> = {}
    if (user !== undefined || password !== undefined) {
      headers['authorization'] = `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`
    }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await httpRequest(`${this.#options.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && {body: JSON.stringify(body)}),
      step: `MediaMTX API ${method} ${path}`,
      timeoutMs: this.#options.timeoutMs ?? 3000,
      maxBodyBytes: 4 * 1024 * 1024,
      ...(this.#options.signal && {signal: this.#options.signal}),
      ...(this.#options.dispatcher && {dispatcher: this.#options.dispatcher}),
    })
    if (response.status === 401 || response.status === 403) {
      throw new R58Error(
        'E_AUTH',
        `MediaMTX API ${method} ${path}: HTTP ${response.status} (credentials rejected or missing)`,
        {
          field: 'mediamtx.apiUser',
          hint:
            'Give a user with the "api" permission (authInternalUsers) via --mediamtx-api-user and ' +
            '--mediamtx-api-password-file; by default MediaMTX allows the API from localhost only.',
        },
      )
    }
    return response
  }

  private json(response: HttpResponse, what: string): Record<string, unknown> {
    try {
      const value = JSON.parse(response.body) as unknown
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
    } catch {
      // fall through
    }
    throw new R58Error(
      'E_PROTOCOL',
      `MediaMTX API ${what}: the answer is not a JSON object (HTTP ${response.status})`,
      {
        hint: 'Is this the MediaMTX API address (apiAddress, default :9997)?',
      },
    )
  }

  private expectOk(response: HttpResponse, what: string): void {
    if (response.status >= 200 && response.status < 300) return
    let detail = ''
    try {
      detail = text((JSON.parse(response.body) as {error?: unknown}).error)
    } catch {
      detail = response.body.slice(0, 200)
    }
    throw new R58Error('E_PROTOCOL', `MediaMTX API ${what}: HTTP ${response.status}${detail ? `: ${detail}` : ''}`)
  }

  /** Version and start time; version null when the server predates /v3/info. */
  async info(): Promise<MediamtxInfo> {
    const response = await this.call('GET', '/v3/info')
    if (response.status === 404) return {version: null, started: null}
    this.expectOk(response, 'info')
    const body = this.json(response, 'info')
    return {
      version: typeof body['version'] === 'string' ? body['version'] : null,
      started: text(body['started']) || null,
    }
  }

  async globalConfig(): Promise<Record<string, unknown>> {
    const response = await this.call('GET', '/v3/config/global/get')
    this.expectOk(response, 'config/global/get')
    return this.json(response, 'config/global/get')
  }

  /** PATCH only the given keys (slices are replaced whole). MediaMTX restarts the servers whose keys change. */
  async patchGlobalConfig(patch: Record<string, unknown>): Promise<void> {
    const response = await this.call('PATCH', '/v3/config/global/patch', patch)
    this.expectOk(response, 'config/global/patch')
  }

  /** The live state of a path, or null when it has no publisher or reader (404). */
  async path(name: string): Promise<MediamtxPathState | null> {
    const response = await this.call('GET', `/v3/paths/get/${encodeURIComponent(name).replace(/%2F/g, '/')}`)
    if (response.status === 404) return null
    this.expectOk(response, 'paths/get')
    return normalizePath(this.json(response, 'paths/get'))
  }

  async webrtcSessions(): Promise<MediamtxWebrtcSession[]> {
    const sessions: MediamtxWebrtcSession[] = []
    for (let page = 0; page < 100; page++) {
      const response = await this.call('GET', `/v3/webrtcsessions/list?page=${page}&itemsPerPage=100`)
      if (response.status === 404 && page === 0) return []
      this.expectOk(response, 'webrtcsessions/list')
      const body = this.json(response, 'webrtcsessions/list')
      const items = Array.isArray(body['items']) ? (body['items'] as Record<string, unknown>[]) : []
      sessions.push(...items.map(normalizeWebrtcSession))
      if (page + 1 >= num(body['pageCount'])) break
    }
    return sessions
  }

  /** One WebRTC session by the id from the WHIP answer's `ID` header, or null when it is gone. */
  async webrtcSession(id: string): Promise<MediamtxWebrtcSession | null> {
    const response = await this.call('GET', `/v3/webrtcsessions/get/${encodeURIComponent(id)}`)
    if (response.status === 404) return null
    this.expectOk(response, 'webrtcsessions/get')
    return normalizeWebrtcSession(this.json(response, 'webrtcsessions/get'))
  }
}
