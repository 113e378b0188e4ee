/**
 * The stand-in's configured paths as the v3 control API edits them (mediamtx.md §3.2, MediaMTX v1.2.0+):
 * `GET /v3/config/paths/list|get/{name}`, `POST …/add/{name}` (400 `path already exists`), `PATCH …/patch/{name}`
 * and `DELETE …/delete/{name}` (404 when missing), `POST …/replace/{name}`. Changes live in memory only, as in
 * MediaMTX: a restart forgets them. Every change is reported so the stand-in can start or stop WHEP pulls.
 */
import {atLeast, type Version} from '../version.js'

export type PathConf = Record<string, unknown>

/** PathConf keys the stand-in accepts; MediaMTX rejects unknown keys (`json: unknown field`). */
const KNOWN_KEYS: {key: string; since: string}[] = [
  {key: 'name', since: 'v1.2.0'},
  {key: 'source', since: 'v1.2.0'},
  {key: 'sourceOnDemand', since: 'v1.2.0'},
  {key: 'sourceOnDemandStartTimeout', since: 'v1.2.0'},
  {key: 'sourceOnDemandCloseAfter', since: 'v1.2.0'},
  {key: 'sourceFingerprint', since: 'v1.2.0'},
  {key: 'overridePublisher', since: 'v1.2.0'},
  {key: 'record', since: 'v1.2.0'},
  {key: 'maxReaders', since: 'v1.2.0'},
  {key: 'whepBearerToken', since: 'v1.16.2'},
  {key: 'whepSTUNGatherTimeout', since: 'v1.16.2'},
  {key: 'whepHandshakeTimeout', since: 'v1.16.2'},
  {key: 'whepTrackGatherTimeout', since: 'v1.16.2'},
]

const SOURCE = /^(publisher|redirect|rpiCamera|(rtsps?|rtmps?|hls|udp|srt|whep|wheps|http|https):\/\/.+)$/

export interface ConfigPathsResult {
  status: number
  /** JSON body; absent means MediaMTX's plain success answer. */
  body?: unknown
  error?: string
}

export class ConfigPathStore {
  readonly #paths = new Map<string, PathConf>()
  readonly #version: Version
  readonly #onChange: (name: string, conf: PathConf | undefined) => void

  constructor(version: Version, onChange: (name: string, conf: PathConf | undefined) => void) {
    this.#version = version
    this.#onChange = onChange
  }

  entries(): [string, PathConf][] {
    return [...this.#paths.entries()]
  }

  /** MediaMTX restarted: API-made paths are gone. */
  clear(): void {
    for (const name of [...this.#paths.keys()]) {
      this.#paths.delete(name)
      this.#onChange(name, undefined)
    }
  }

  #check(body: unknown): string | undefined {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return 'json: cannot unmarshal into conf.OptionalPath'
    for (const key of Object.keys(body)) {
      const known = KNOWN_KEYS.find((k) => k.key === key)
      if (!known || !atLeast(this.#version, known.since)) return `json: unknown field "${key}"`
    }
    const source = (body as PathConf)['source']
    if (source !== undefined && (typeof source !== 'string' || !SOURCE.test(source))) {
      return `invalid source: '${String(source)}'`
    }
    return undefined
  }

  /** Serves a `/v3/config/paths/…` request, or returns undefined for any other route. */
  async handle(
    method: string,
    pathname: string,
    readBody: () => Promise<unknown>,
  ): Promise<ConfigPathsResult | undefined> {
    if (!atLeast(this.#version, 'v1.2.0')) return undefined
    if (method === 'GET' && pathname === '/v3/config/paths/list') {
      const items = this.entries().map(([name, conf]) => ({...conf, name}))
      return {status: 200, body: {itemCount: items.length, pageCount: items.length > 0 ? 1 : 0, items}}
    }
    const match = /^\/v3\/config\/paths\/(get|add|patch|replace|delete)\/(.+)$/.exec(pathname)
    if (!match) return undefined
    const action = match[1]
    let name: string
    try {
      name = decodeURIComponent(match[2] ?? '')
    } catch {
      return {status: 400, error: 'invalid path name'}
    }
    const existing = this.#paths.get(name)
    const allowed = {get: 'GET', add: 'POST', patch: 'PATCH', replace: 'POST', delete: 'DELETE'}[action ?? 'get']
    if (method !== allowed) return {status: 404, error: 'not found'}
    if (action === 'get') {
      return existing ? {status: 200, body: {...existing, name}} : {status: 404, error: 'path configuration not found'}
    }
    if (action === 'delete') {
      if (!existing) return {status: 404, error: 'path configuration not found'}
      this.#paths.delete(name)
      this.#onChange(name, undefined)
      return {status: 200}
    }
    let body: unknown
    try {
      body = await readBody()
    } catch {
      return {status: 400, error: 'invalid JSON'}
    }
    const invalid = this.#check(body)
    if (invalid !== undefined) return {status: 400, error: invalid}
    const conf = body as PathConf
    if (action === 'add' && existing) return {status: 400, error: 'path already exists'}
    if (action === 'patch' && !existing) return {status: 404, error: 'path configuration not found'}
    const next = action === 'patch' ? {...existing, ...conf} : {...conf}
    delete next['name']
    this.#paths.set(name, next)
    this.#onChange(name, next)
    return {status: 200}
  }
}
