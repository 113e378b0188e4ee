/**
 * The relay's hands on MediaMTX's configured paths, for `whep` mode (docs/whep-mode.md):
 * - `capability()`: can this MediaMTX pull a guest from a WHEP URL? `source: whep://` exists since v1.0.0, and
 *   the relay adds paths with the v3 control API (v1.2.0+). `/v3/info` answers from v1.15.2; an older v3 server
 *   still answers `/v3/config/paths/list`. Anything else (v1/v2 API, no API, no access) means forward mode.
 * - `ensure()` / `remove()`: `POST /v3/config/paths/add/{name}`, `PATCH …/patch/{name}` when it exists already,
 *   `DELETE …/delete/{name}`. Paths added this way live in MediaMTX's memory only: after a restart they are gone,
 *   so the relay checks with `configured()` and adds them again.
 */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import {atLeast, parseVersion} from '../mediamtx/version.js'
import {type HttpResponse, httpRequest} from '../net/http.js'

export interface MediamtxPathsOptions {
  /** The control API, e.g. `http://127.0.0.1:9997`. */
  apiUrl: string
  user?: string | undefined
  password?: string | undefined
  timeoutMs?: number
  dispatcher?: Dispatcher
}

export interface WhepCapability {
  whep: boolean
  /** `v1.20.1`, or null when the server does not say (before v1.15.2) or did not answer. */
  version: string | null
  /** `Authorization: Bearer` from the path's `whepBearerToken` (v1.16.2+). */
  bearerToken: boolean
  /** Why, in one line: shown in the startup log and in `/status`. */
  reason: string
}

/** A path's configuration as the relay writes it (any PathConf key MediaMTX knows may be added). */
export type PathConf = Record<string, unknown>

const encodeName = (name: string) => name.split('/').map(encodeURIComponent).join('/')

/** Every configured and every live path, from one call each. */
export interface PathsSnapshot {
  configured: ReadonlySet<string>
  live: ReadonlyMap<string, {ready: boolean; inboundBytes: number}>
}

/** A path as `/v3/paths/get` and `/v3/paths/list` report it (field names differ across versions). */
function liveOf(raw: Record<string, unknown>): {ready: boolean; inboundBytes: number} {
  const ready = typeof raw['available'] === 'boolean' ? raw['available'] : raw['ready'] === true
  const bytes = typeof raw['inboundBytes'] === 'number' ? raw['inboundBytes'] : raw['bytesReceived']
  return {ready, inboundBytes: typeof bytes === 'number' ? bytes : 0}
}

export class MediamtxPaths {
  readonly #options: MediamtxPathsOptions
  readonly #base: string
  #snapshot: {at: number; value: Promise<PathsSnapshot>} | undefined

  constructor(options: MediamtxPathsOptions) {
    this.#options = options
    this.#base = options.apiUrl.replace(/\/+$/, '')
  }

  get apiUrl(): string {
    return this.#base
  }

  async #call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<HttpResponse> {
    const {user, password} = this.#options
    const headers: Record<string, string> = {}
    if (user !== undefined || password !== undefined) {
      headers['authorization'] = `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`
    }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await httpRequest(`${this.#base}${path}`, {
      method,
      headers,
      ...(body !== undefined && {body: JSON.stringify(body)}),
      step: `MediaMTX API ${method} ${path.replace(/\/[^/]*$/, '/…')}`,
      timeoutMs: this.#options.timeoutMs ?? 3000,
      maxBodyBytes: 1024 * 1024,
      ...(this.#options.dispatcher && {dispatcher: this.#options.dispatcher}),
    })
    if (response.status === 401 || response.status === 403) {
      throw new R58Error(
        'E_AUTH',
        `MediaMTX API ${method}: HTTP ${response.status} (credentials rejected or missing)`,
        {
          field: 'mediamtx.apiUser',
          hint: 'Give a user with the "api" permission via --mediamtx-api-user and --mediamtx-api-password-file.',
        },
      )
    }
    return response
  }

  #fail(what: string, response: HttpResponse): R58Error {
    let detail = ''
    try {
      const error = (JSON.parse(response.body) as {error?: unknown}).error
      detail = typeof error === 'string' ? error : ''
    } catch {
      detail = response.body.slice(0, 200)
    }
    return new R58Error('E_PROTOCOL', `MediaMTX API ${what}: HTTP ${response.status}${detail ? `: ${detail}` : ''}`)
  }

  /** Whether MediaMTX can take `source: whep://` paths from the relay. Never throws. */
  async capability(): Promise<WhepCapability> {
    try {
      const info = await this.#call('GET', '/v3/info')
      if (info.status === 200) {
        const raw = (JSON.parse(info.body) as {version?: unknown}).version
        const version = typeof raw === 'string' ? raw : null
        const parsed = version ? parseVersion(version) : undefined
        return {
          whep: true,
          version,
          bearerToken: parsed !== undefined && atLeast(parsed, 'v1.16.2'),
          reason: `MediaMTX ${version ?? '(version not given)'} has whep:// sources and the v3 API`,
        }
      }
      const list = await this.#call('GET', '/v3/config/paths/list')
      if (list.status === 200) {
        return {
          whep: true,
          version: null,
          bearerToken: false,
          reason: 'MediaMTX v1.2.0–v1.15.1 (v3 API without /v3/info) has whep:// sources',
        }
      }
      return {
        whep: false,
        version: null,
        bearerToken: false,
        reason: `MediaMTX at ${this.#base} has no v3 control API (HTTP ${list.status}; it needs v1.2.0 or newer)`,
      }
    } catch (error) {
      return {
        whep: false,
        version: null,
        bearerToken: false,
        reason: `the MediaMTX API at ${this.#base} did not answer (${error instanceof R58Error ? error.text : String(error)})`,
      }
    }
  }

  /** The path's configuration, or null when MediaMTX has no such configured path. */
  async configured(name: string): Promise<PathConf | null> {
    const response = await this.#call('GET', `/v3/config/paths/get/${encodeName(name)}`)
    if (response.status === 404) return null
    if (response.status !== 200) throw this.#fail('config/paths/get', response)
    return JSON.parse(response.body) as PathConf
  }

  /** Adds the path, or patches it when it exists already. */
  async ensure(name: string, conf: PathConf): Promise<'added' | 'patched'> {
    this.#snapshot = undefined
    const added = await this.#call('POST', `/v3/config/paths/add/${encodeName(name)}`, conf)
    if (added.status >= 200 && added.status < 300) return 'added'
    if (added.status !== 400 || !/already exists/i.test(added.body)) throw this.#fail('config/paths/add', added)
    const patched = await this.#call('PATCH', `/v3/config/paths/patch/${encodeName(name)}`, conf)
    if (patched.status >= 200 && patched.status < 300) return 'patched'
    throw this.#fail('config/paths/patch', patched)
  }

  /** Removes the path; false when it was not there. */
  async remove(name: string): Promise<boolean> {
    this.#snapshot = undefined
    const response = await this.#call('DELETE', `/v3/config/paths/delete/${encodeName(name)}`)
    if (response.status === 404) return false
    if (response.status >= 200 && response.status < 300) return true
    throw this.#fail('config/paths/delete', response)
  }

  /** The path's live state: ready, and bytes in (null when it has no source or reader yet). */
  async live(name: string): Promise<{ready: boolean; inboundBytes: number} | null> {
    const response = await this.#call('GET', `/v3/paths/get/${encodeName(name)}`)
    if (response.status === 404) return null
    if (response.status !== 200) throw this.#fail('paths/get', response)
    return liveOf(JSON.parse(response.body) as Record<string, unknown>)
  }

  /**
   * Both path lists, fetched at most once per `maxAgeMs` and shared by every caller: watching N guests costs two
   * API calls per interval, not 2·N. A change made through this object (ensure, remove) starts a fresh snapshot.
   */
  snapshot(maxAgeMs: number): Promise<PathsSnapshot> {
    const now = Date.now()
    if (this.#snapshot && now - this.#snapshot.at < maxAgeMs) return this.#snapshot.value
    const value = this.#fetchSnapshot()
    const entry = {at: now, value}
    this.#snapshot = entry
    value.catch(() => {
      if (this.#snapshot === entry) this.#snapshot = undefined
    })
    return value
  }

  async #fetchSnapshot(): Promise<PathsSnapshot> {
    const [configured, live] = await Promise.all([
      this.#call('GET', '/v3/config/paths/list?itemsPerPage=10000'),
      this.#call('GET', '/v3/paths/list?itemsPerPage=10000'),
    ])
    if (configured.status !== 200) throw this.#fail('config/paths/list', configured)
    if (live.status !== 200) throw this.#fail('paths/list', live)
    const items = (body: string) => (JSON.parse(body) as {items?: Record<string, unknown>[]}).items ?? []
    return {
      configured: new Set(items(configured.body).map((item) => String(item['name']))),
      live: new Map(items(live.body).map((item) => [String(item['name']), liveOf(item)])),
    }
  }
}
