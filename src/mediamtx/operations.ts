/**
 * `mediamtx configure` operations as changes of MediaMTX values, gated on the server version: each key is
 * written under the name the version knows (`webrtcAdditionalHosts` from v1.3.0, `webrtcICEHostNAT1To1IPs`
 * before), a deprecated key still in the file is edited in place (MediaMTX's shim lets it win), and an
 * operation the version cannot express is refused. Pure: values in, changes out; the CST editor writes them.
 */
import {isIP} from 'node:net'
import {isDeepStrictEqual} from 'node:util'
import {R58Error} from '../errors.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {parseHostPort} from '../util/host-port.js'
import {deprecationOf} from './deprecations.js'
import type {MediamtxIceServer} from './ice-servers.js'
import {isKeyAccepted, keySince} from './key-rules.js'
import {atLeast, compareVersions, formatVersion, type Version} from './version.js'

export type Operation =
  | {op: 'add-host'; host: string; from?: 'tailscale'}
  | {op: 'udp-address'; address: string}
  | {op: 'tcp-address'; address: string}
  | {op: 'ice-server'; server: MediamtxIceServer}
  | {op: 'client-only'}
  | {op: 'remove-ice-server'; url: string}
  | {op: 'migrate-deprecated'}
  | {op: 'add-path'; name: string}

export interface OperationOutcome {
  op: Operation['op']
  /** The operation's argument (host, URL, address, path name), or null. */
  value: string | null
  /** The key it edits, or null. */
  key: string | null
  result: 'changed' | 'unchanged' | 'skipped'
  note?: string
}

/** One top-level key's value before and after (undefined: absent). */
export interface Change {
  key: string
  before: unknown
  after: unknown
  /** The change renames this deprecated key in place. */
  renamedFrom?: string
}

/** What the planner reads: a parsed file (ConfigDoc) or the live config from the API. */
export interface ConfigValues {
  keys(): string[]
  has(key: string): boolean
  value(key: string): unknown
}

export interface PlanContext {
  version: Version
  /** How the version was found; refusals say how to correct it. */
  versionSource?: 'api' | 'flag' | 'inferred'
  /** Addresses of this host's interfaces, for the duplicate-candidate rule before v1.9.2. */
  localAddresses?: readonly string[]
}

export interface Plan {
  changes: Change[]
  outcomes: OperationOutcome[]
  notes: string[]
}

const GOOGLE_STUN: MediamtxIceServer = {url: 'stun:stun.l.google.com:19302', username: '', password: ''}

/** What MediaMTX uses for a key missing from the file. */
function defaultValue(key: string, version: Version): unknown {
  switch (key) {
    case 'webrtcICEServers2':
      return atLeast(version, 'v1.3.0') ? [] : [GOOGLE_STUN]
    case 'webrtcICEServers':
      return atLeast(version, 'v0.23.7') ? [] : ['stun:stun.l.google.com:19302']
    case 'webrtcAdditionalHosts':
    case 'webrtcICEHostNAT1To1IPs':
      return []
    case 'webrtcLocalUDPAddress':
      return ':8189'
    case 'webrtcLocalTCPAddress':
      return ''
    case 'webrtcIPsFromInterfaces':
      return true
    case 'paths':
      return {}
    default:
      return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function refuse(message: string, hint?: string): R58Error {
  return new R58Error('E_MEDIAMTX_CONFIG', message, {hint})
}

function usage(flag: string, message: string, hint?: string): R58Error {
  return new R58Error('E_USAGE', `${flag}: ${message}`, {field: flag, hint})
}

/** `turn:user:pass:host:port` (≤ v0.23.6) → `{url: turn:host:port, username, password}`, as MediaMTX's shim does. */
export function legacyIceServer(entry: string): MediamtxIceServer {
  const parts = entry.split(':')
  if (parts.length === 5) {
    return {url: `${parts[0]}:${parts[3]}:${parts[4]}`, username: parts[1] ?? '', password: parts[2] ?? ''}
  }
  return {url: entry, username: '', password: ''}
}

function toLegacyIceServer(server: MediamtxIceServer): string {
  if (!server.username && !server.password) return server.url
  const colon = server.url.indexOf(':')
  const scheme = server.url.slice(0, colon)
  const rest = server.url.slice(colon + 1)
  if (rest.split(':').length !== 2 || server.username.includes(':') || server.password.includes(':')) {
    throw refuse(
      `${server.url}: this MediaMTX version stores credentials as ${scheme}:user:pass:host:port, which cannot hold this URL or credential (a colon)`,
      'Upgrade MediaMTX to v0.23.7 or later (webrtcICEServers2).',
    )
  }
  return `${scheme}:${server.username}:${server.password}:${rest}`
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

function checkHost(host: string): void {
  if (isIP(host)) return
  if (!HOSTNAME.test(host)) {
    throw usage('--add-host', `${JSON.stringify(host)} is neither an IP address nor a host name`)
  }
  if (/^\d+(\.|$)/.test(host)) {
    throw usage(
      '--add-host',
      `${JSON.stringify(host)} looks like a placeholder, not an IP address`,
      'Give the real address, e.g. 192.168.1.58 or 100.64.0.5.',
    )
  }
}

const PATH_NAME = /^[0-9a-zA-Z_\-/.~]+$/

function checkPathName(name: string): void {
  const bad = name === '' || name.startsWith('/') || name.endsWith('/') || !PATH_NAME.test(name) || name.startsWith('~')
  if (bad || name.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw usage(
      '--add-path',
      `${JSON.stringify(name)} is not a valid MediaMTX path name`,
      'Use letters, digits, _ - . and /, not starting or ending with a slash.',
    )
  }
}

function checkListenAddress(flag: string, address: string): void {
  if (address === '' || parseHostPort(address)) return
  throw usage(flag, `expected [host]:port such as :8189, got ${JSON.stringify(address)}`)
}

/** The values as the operations see them, with the edits made so far. */
class Working {
  readonly #values: ConfigValues
  readonly #version: Version
  readonly next = new Map<string, unknown>()
  /** New key → the deprecated key it renames. */
  readonly renamed = new Map<string, string>()
  readonly #renamedAway = new Set<string>()

  constructor(values: ConfigValues, version: Version) {
    this.#values = values
    this.#version = version
  }

  has(key: string): boolean {
    if (this.next.has(key)) return this.next.get(key) !== undefined
    return this.#values.has(key) && !this.#renamedAway.has(key)
  }

  /** The current value (a copy), or the default when the file lacks the key. */
  get(key: string): unknown {
    if (this.next.has(key)) return structuredClone(this.next.get(key))
    if (this.#values.has(key) && !this.#renamedAway.has(key)) return structuredClone(this.#values.value(key))
    return structuredClone(defaultValue(key, this.#version))
  }

  set(key: string, value: unknown): void {
    this.next.set(key, value)
  }

  remove(key: string): void {
    this.next.set(key, undefined)
  }

  rename(from: string, to: string, value: unknown): void {
    this.renamed.set(to, from)
    this.#renamedAway.add(from)
    this.next.set(to, value)
  }

  changes(): Change[] {
    const out: Change[] = []
    for (const [key, after] of this.next) {
      const from = this.renamed.get(key)
      if (from !== undefined) {
        out.push({key, before: undefined, after, renamedFrom: from})
        continue
      }
      const before = this.#values.has(key) ? this.#values.value(key) : undefined
      if (after === undefined && before === undefined) continue
      if (isDeepStrictEqual(before, after)) continue
      out.push({key, before, after})
    }
    return out
  }
}

const ORDER: Operation['op'][] = [
  'migrate-deprecated',
  'udp-address',
  'tcp-address',
  'add-host',
  'ice-server',
  'client-only',
  'remove-ice-server',
  'add-path',
]

/** Turns operations into key changes for `version`. Throws E_MEDIAMTX_CONFIG on refusals, E_USAGE on bad input. */
export function planOperations(values: ConfigValues, operations: readonly Operation[], context: PlanContext): Plan {
  const version = context.version
  const v = formatVersion(version)
  const exact = context.versionSource !== 'inferred'
  if (!atLeast(version, 'v0.23.0')) {
    throw refuse(
      `MediaMTX ${exact ? v : `${v} (inferred)`} has no WebRTC publishing (WHIP arrived in v0.23.0); r58 does not configure it`,
      exact
        ? 'Upgrade MediaMTX to a current release.'
        : 'If the server is v0.23.0 or later, say so with --mediamtx-version (or --api); otherwise upgrade MediaMTX.',
    )
  }
  const accepts = (key: string) => isKeyAccepted(key, version)
  const versionHint = exact
    ? 'Upgrade MediaMTX, or leave this option out.'
    : 'The version was inferred from the file; pass --mediamtx-version (or --api) if the server is newer.'
  const work = new Working(values, version)
  const outcomes: OperationOutcome[] = []
  const notes: string[] = []
  const effectiveKey = (old: string, modern: string): string => {
    if (work.has(old) && (work.get(old) !== null || !accepts(modern))) return old
    return accepts(modern) ? modern : old
  }
  const ipsFromInterfaces = () => {
    const value = work.get('webrtcIPsFromInterfaces')
    return typeof value === 'boolean' ? value : true
  }
  const outcome = (o: OperationOutcome) => outcomes.push(o)
  const sorted = [...operations].sort((a, b) => ORDER.indexOf(a.op) - ORDER.indexOf(b.op))

  for (const operation of sorted) {
    switch (operation.op) {
      case 'migrate-deprecated': {
        let any = false
        for (const key of values.keys()) {
          const deprecation = deprecationOf(key)
          if (!deprecation) continue
          any = true
          const since = keySince(deprecation.replacement)
          if (!since || compareVersions(version, since) < 0) {
            outcome({
              op: 'migrate-deprecated',
              value: key,
              key: deprecation.replacement,
              result: 'skipped',
              note: `${deprecation.replacement} needs ${since ? formatVersion(since) : 'a newer release'} (this is ${v}); ${key} stays`,
            })
            continue
          }
          const old = values.value(key)
          const converted = convertDeprecated(deprecation.transform, old, deprecation.whenNull)
          if (work.has(deprecation.replacement)) {
            const current = work.get(deprecation.replacement)
            const merged =
              deprecation.transform === 'legacy-ice-servers'
                ? [...(Array.isArray(current) ? current : []), ...(converted as unknown[])]
                : old === null
                  ? current
                  : converted
            work.set(deprecation.replacement, merged)
            work.remove(key)
          } else {
            work.rename(key, deprecation.replacement, converted)
          }
          const meaningful =
            deprecation.note !== undefined && old !== null && old !== '' && !(Array.isArray(old) && old.length === 0)
          outcome({
            op: 'migrate-deprecated',
            value: key,
            key: deprecation.replacement,
            result: 'changed',
            ...(meaningful && {note: deprecation.note}),
          })
          if (meaningful && deprecation.note) notes.push(`${key} → ${deprecation.replacement}: ${deprecation.note}.`)
        }
        if (!any) outcome({op: 'migrate-deprecated', value: null, key: null, result: 'unchanged'})
        break
      }
      case 'udp-address':
      case 'tcp-address': {
        const tcp = operation.op === 'tcp-address'
        checkListenAddress(`--${operation.op}`, operation.address)
        const key = tcp
          ? effectiveKey('webrtcICETCPMuxAddress', 'webrtcLocalTCPAddress')
          : effectiveKey('webrtcICEUDPMuxAddress', 'webrtcLocalUDPAddress')
        const current = work.get(key) ?? ''
        if (current === operation.address) {
          outcome({op: operation.op, value: operation.address, key, result: 'unchanged'})
          break
        }
        work.set(key, operation.address)
        const note =
          key === 'webrtcICETCPMuxAddress' && operation.address !== ''
            ? 'before v1.3.0 a TCP mux address makes MediaMTX use TCP only'
            : undefined
        if (note) notes.push(`${key}: ${note}.`)
        outcome({op: operation.op, value: operation.address, key, result: 'changed', ...(note && {note})})
        break
      }
      case 'add-host': {
        checkHost(operation.host)
        const key = effectiveKey('webrtcICEHostNAT1To1IPs', 'webrtcAdditionalHosts')
        const list = work.get(key)
        const hosts = Array.isArray(list) ? list.map(String) : []
        if (hosts.includes(operation.host)) {
          outcome({op: 'add-host', value: operation.host, key, result: 'unchanged'})
          break
        }
        if (
          key === 'webrtcAdditionalHosts' &&
          !atLeast(version, 'v1.9.2') &&
          ipsFromInterfaces() &&
          context.localAddresses?.includes(operation.host)
        ) {
          const note = `${operation.host} is already advertised from this host's interfaces; before v1.9.2 listing it again breaks connections`
          notes.push(`${note}.`)
          outcome({op: 'add-host', value: operation.host, key, result: 'skipped', note})
          break
        }
        work.set(key, [...hosts, operation.host])
        let note: string | undefined
        if (key === 'webrtcICEHostNAT1To1IPs') {
          note =
            'webrtcICEHostNAT1To1IPs replaces the interface addresses in the candidates: list every address guests use, LAN ones included'
        } else if (!isIP(operation.host) && !atLeast(version, 'v1.14.0')) {
          note =
            'before v1.14.0 a host name goes into the SDP as is, and Firefox and Safari cannot use it; prefer an IP'
        }
        if (note) notes.push(`${operation.host}: ${note}.`)
        outcome({op: 'add-host', value: operation.host, key, result: 'changed', ...(note && {note})})
        break
      }
      case 'ice-server': {
        const server = operation.server
        parseIceUrl(server.url, '--turn')
        if (server.clientOnly && !atLeast(version, 'v1.7.0')) {
          throw refuse(
            `clientOnly (--client-only) needs MediaMTX v1.7.0 or later; this is ${v}${exact ? '' : ' (inferred)'}`,
            versionHint,
          )
        }
        if (atLeast(version, 'v0.23.7')) {
          const key = 'webrtcICEServers2'
          const list = (work.get(key) as Record<string, unknown>[] | null) ?? []
          const index = list.findIndex((entry) => isRecord(entry) && entry['url'] === server.url)
          if (index === -1) {
            list.push({
              url: server.url,
              username: server.username,
              password: server.password,
              ...(server.clientOnly === true && {clientOnly: true}),
            })
          } else {
            const existing = list[index] as Record<string, unknown>
            const merged: Record<string, unknown> = {...existing, username: server.username, password: server.password}
            if (server.clientOnly !== undefined && (server.clientOnly || existing['clientOnly'] !== undefined)) {
              merged['clientOnly'] = server.clientOnly
            }
            if (isDeepStrictEqual(existing, merged)) {
              outcome({op: 'ice-server', value: server.url, key, result: 'unchanged'})
              break
            }
            list[index] = merged
          }
          work.set(key, list)
          outcome({op: 'ice-server', value: server.url, key, result: 'changed'})
        } else {
          const key = 'webrtcICEServers'
          const list = ((work.get(key) as unknown[] | null) ?? []).map(String)
          const entry = toLegacyIceServer(server)
          const index = list.findIndex((item) => legacyIceServer(item).url === server.url)
          if (index !== -1 && list[index] === entry) {
            outcome({op: 'ice-server', value: server.url, key, result: 'unchanged'})
            break
          }
          if (index === -1) list.push(entry)
          else list[index] = entry
          work.set(key, list)
          outcome({op: 'ice-server', value: server.url, key, result: 'changed'})
        }
        break
      }
      case 'client-only': {
        if (!atLeast(version, 'v1.7.0')) {
          throw refuse(
            `clientOnly (--client-only) needs MediaMTX v1.7.0 or later; this is ${v}${exact ? '' : ' (inferred)'}`,
            versionHint,
          )
        }
        const key = 'webrtcICEServers2'
        const list = (work.get(key) as Record<string, unknown>[] | null) ?? []
        if (list.length === 0) {
          outcome({op: 'client-only', value: null, key, result: 'skipped', note: 'no ICE servers to mark client-only'})
          break
        }
        let changed = false
        const next = list.map((entry) => {
          if (!isRecord(entry) || entry['clientOnly'] === true) return entry
          changed = true
          return {...entry, clientOnly: true}
        })
        if (changed) work.set(key, next)
        outcome({op: 'client-only', value: null, key, result: changed ? 'changed' : 'unchanged'})
        break
      }
      case 'remove-ice-server': {
        let changed = false
        let key: string | null = null
        for (const listKey of ['webrtcICEServers2', 'webrtcICEServers']) {
          if (!work.has(listKey)) continue
          const list = work.get(listKey)
          if (!Array.isArray(list)) continue
          const kept = list.filter((entry) => {
            const url = typeof entry === 'string' ? legacyIceServer(entry).url : isRecord(entry) ? entry['url'] : ''
            return url !== operation.url
          })
          if (kept.length !== list.length) {
            work.set(listKey, kept)
            changed = true
            key = listKey
          }
        }
        outcome({op: 'remove-ice-server', value: operation.url, key, result: changed ? 'changed' : 'unchanged'})
        break
      }
      case 'add-path': {
        checkPathName(operation.name)
        const current = work.get('paths')
        if (current !== null && current !== undefined && !isRecord(current)) {
          throw refuse('paths: expected a mapping of path names')
        }
        const paths = current ?? {}
        if (operation.name in paths) {
          outcome({op: 'add-path', value: operation.name, key: 'paths', result: 'unchanged'})
          break
        }
        work.set('paths', {...paths, [operation.name]: {source: 'publisher'}})
        outcome({op: 'add-path', value: operation.name, key: 'paths', result: 'changed'})
        break
      }
    }
  }

  const changes = work.changes()
  for (const change of changes) {
    if (change.after !== undefined && !accepts(change.key)) {
      throw refuse(
        `${change.key} is unknown to MediaMTX ${v}${exact ? '' : ' (inferred)'}; writing it would stop the server`,
        versionHint,
      )
    }
  }
  return {changes, outcomes, notes}
}

function convertDeprecated(transform: string, value: unknown, whenNull: unknown): unknown {
  if (value === null || value === undefined) return structuredClone(whenNull ?? null)
  switch (transform) {
    case 'invert':
      return typeof value === 'boolean' ? !value : value
    case 'wrap-list':
      return Array.isArray(value) ? value : [value]
    case 'legacy-ice-servers':
      return Array.isArray(value) ? value.map((entry) => legacyIceServer(String(entry))) : []
    default:
      return value
  }
}
