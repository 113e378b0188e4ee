/**
 * One function per `mediamtx configure` operation (planOperations in operations.ts runs them in order): each
 * checks its input, edits the working values under the key the version knows, and records its outcome.
 */
import {isIP} from 'node:net'
import {isDeepStrictEqual} from 'node:util'
import {R58Error} from '../errors.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {parseHostPort} from '../util/host-port.js'
import {deprecationOf} from './deprecations.js'
import type {MediamtxIceServer} from './ice-servers.js'
import {keySince} from './key-rules.js'
import type {ConfigValues, Operation, OperationOutcome, Working} from './operations.js'
import {atLeast, compareVersions, formatVersion, type Version} from './version.js'

/** What every step shares while a plan is made. */
export interface PlanState {
  values: ConfigValues
  version: Version
  /** The version as written, `v1.20.1`. */
  shown: string
  /** The version was given or reported, not inferred. */
  exact: boolean
  /** How to get past a refusal for this version. */
  versionHint: string
  work: Working
  localAddresses: readonly string[] | undefined
  outcomes: OperationOutcome[]
  notes: string[]
  accepts(key: string): boolean
  /** The deprecated key when the file still uses it (or the version lacks the modern one), else the modern key. */
  effectiveKey(old: string, modern: string): string
}

type OperationOf<K extends Operation['op']> = Extract<Operation, {op: K}>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export function refuse(message: string, hint?: string): R58Error {
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

/** clientOnly arrived in v1.7.0. */
function requireClientOnly(state: PlanState): void {
  if (atLeast(state.version, 'v1.7.0')) return
  throw refuse(
    `clientOnly (--client-only) needs MediaMTX v1.7.0 or later; this is ${state.shown}${state.exact ? '' : ' (inferred)'}`,
    state.versionHint,
  )
}

/** --migrate-deprecated: every deprecated key whose replacement this version has is renamed (or merged). */
export function migrateDeprecated(state: PlanState): void {
  const {values, version, work} = state
  let any = false
  for (const key of values.keys()) {
    const deprecation = deprecationOf(key)
    if (!deprecation) continue
    any = true
    const since = keySince(deprecation.replacement)
    if (!since || compareVersions(version, since) < 0) {
      state.outcomes.push({
        op: 'migrate-deprecated',
        value: key,
        key: deprecation.replacement,
        result: 'skipped',
        note: `${deprecation.replacement} needs ${since ? formatVersion(since) : 'a newer release'} (this is ${state.shown}); ${key} stays`,
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
    state.outcomes.push({
      op: 'migrate-deprecated',
      value: key,
      key: deprecation.replacement,
      result: 'changed',
      ...(meaningful && {note: deprecation.note}),
    })
    if (meaningful && deprecation.note) state.notes.push(`${key} → ${deprecation.replacement}: ${deprecation.note}.`)
  }
  if (!any) state.outcomes.push({op: 'migrate-deprecated', value: null, key: null, result: 'unchanged'})
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

/** --udp-address / --tcp-address: the local ICE listener (the mux address before v1.3.0). */
export function setListenAddress(state: PlanState, operation: OperationOf<'udp-address' | 'tcp-address'>): void {
  const tcp = operation.op === 'tcp-address'
  checkListenAddress(`--${operation.op}`, operation.address)
  const key = tcp
    ? state.effectiveKey('webrtcICETCPMuxAddress', 'webrtcLocalTCPAddress')
    : state.effectiveKey('webrtcICEUDPMuxAddress', 'webrtcLocalUDPAddress')
  const current = state.work.get(key) ?? ''
  if (current === operation.address) {
    state.outcomes.push({op: operation.op, value: operation.address, key, result: 'unchanged'})
    return
  }
  state.work.set(key, operation.address)
  const note =
    key === 'webrtcICETCPMuxAddress' && operation.address !== ''
      ? 'before v1.3.0 a TCP mux address makes MediaMTX use TCP only'
      : undefined
  if (note) state.notes.push(`${key}: ${note}.`)
  state.outcomes.push({op: operation.op, value: operation.address, key, result: 'changed', ...(note && {note})})
}

/** --add-host: one more address to advertise (webrtcAdditionalHosts, or the 1:1 NAT list before v1.3.0). */
export function addHost(state: PlanState, operation: OperationOf<'add-host'>): void {
  const {version, work} = state
  const host = operation.host
  checkHost(host)
  const key = state.effectiveKey('webrtcICEHostNAT1To1IPs', 'webrtcAdditionalHosts')
  const list = work.get(key)
  const hosts = Array.isArray(list) ? list.map(String) : []
  if (hosts.includes(host)) {
    state.outcomes.push({op: 'add-host', value: host, key, result: 'unchanged'})
    return
  }
  const fromInterfaces = work.get('webrtcIPsFromInterfaces')
  const ipsFromInterfaces = typeof fromInterfaces === 'boolean' ? fromInterfaces : true
  if (
    key === 'webrtcAdditionalHosts' &&
    !atLeast(version, 'v1.9.2') &&
    ipsFromInterfaces &&
    state.localAddresses?.includes(host)
  ) {
    const note = `${host} is already advertised from this host's interfaces; before v1.9.2 listing it again breaks connections`
    state.notes.push(`${note}.`)
    state.outcomes.push({op: 'add-host', value: host, key, result: 'skipped', note})
    return
  }
  work.set(key, [...hosts, host])
  let note: string | undefined
  if (key === 'webrtcICEHostNAT1To1IPs') {
    note =
      'webrtcICEHostNAT1To1IPs replaces the interface addresses in the candidates: list every address guests use, LAN ones included'
  } else if (!isIP(host) && !atLeast(version, 'v1.14.0')) {
    note = 'before v1.14.0 a host name goes into the SDP as is, and Firefox and Safari cannot use it; prefer an IP'
  }
  if (note) state.notes.push(`${host}: ${note}.`)
  state.outcomes.push({op: 'add-host', value: host, key, result: 'changed', ...(note && {note})})
}

/** --turn / --stun: adds or updates one ICE server, in webrtcICEServers2 (v0.23.7+) or the legacy string list. */
export function setIceServer(state: PlanState, operation: OperationOf<'ice-server'>): void {
  const server = operation.server
  parseIceUrl(server.url, '--turn')
  if (server.clientOnly) requireClientOnly(state)
  const changed = atLeast(state.version, 'v0.23.7')
    ? setIceServerEntry(state, server)
    : setLegacyIceServer(state, server)
  state.outcomes.push({
    op: 'ice-server',
    value: server.url,
    key: atLeast(state.version, 'v0.23.7') ? 'webrtcICEServers2' : 'webrtcICEServers',
    result: changed ? 'changed' : 'unchanged',
  })
}

/** webrtcICEServers2: a new entry, or the existing one for the URL with new credentials; false when unchanged. */
function setIceServerEntry(state: PlanState, server: MediamtxIceServer): boolean {
  const key = 'webrtcICEServers2'
  const list = (state.work.get(key) as Record<string, unknown>[] | null) ?? []
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
    if (isDeepStrictEqual(existing, merged)) return false
    list[index] = merged
  }
  state.work.set(key, list)
  return true
}

/** webrtcICEServers (before v0.23.7): `scheme:user:pass:host:port` strings; false when unchanged. */
function setLegacyIceServer(state: PlanState, server: MediamtxIceServer): boolean {
  const key = 'webrtcICEServers'
  const list = ((state.work.get(key) as unknown[] | null) ?? []).map(String)
  const entry = toLegacyIceServer(server)
  const index = list.findIndex((item) => legacyIceServer(item).url === server.url)
  if (index !== -1 && list[index] === entry) return false
  if (index === -1) list.push(entry)
  else list[index] = entry
  state.work.set(key, list)
  return true
}

/** --client-only: marks every webrtcICEServers2 entry clientOnly (v1.7.0+). */
export function markClientOnly(state: PlanState): void {
  requireClientOnly(state)
  const key = 'webrtcICEServers2'
  const list = (state.work.get(key) as Record<string, unknown>[] | null) ?? []
  if (list.length === 0) {
    state.outcomes.push({
      op: 'client-only',
      value: null,
      key,
      result: 'skipped',
      note: 'no ICE servers to mark client-only',
    })
    return
  }
  let changed = false
  const next = list.map((entry) => {
    if (!isRecord(entry) || entry['clientOnly'] === true) return entry
    changed = true
    return {...entry, clientOnly: true}
  })
  if (changed) state.work.set(key, next)
  state.outcomes.push({op: 'client-only', value: null, key, result: changed ? 'changed' : 'unchanged'})
}

/** Removes the ICE server with this URL from both lists. */
export function removeIceServer(state: PlanState, operation: OperationOf<'remove-ice-server'>): void {
  const {work} = state
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
  state.outcomes.push({op: 'remove-ice-server', value: operation.url, key, result: changed ? 'changed' : 'unchanged'})
}

/** --add-path: a path that accepts publishers. */
export function addPath(state: PlanState, operation: OperationOf<'add-path'>): void {
  checkPathName(operation.name)
  const current = state.work.get('paths')
  if (current !== null && current !== undefined && !isRecord(current)) {
    throw refuse('paths: expected a mapping of path names')
  }
  const paths = current ?? {}
  if (operation.name in paths) {
    state.outcomes.push({op: 'add-path', value: operation.name, key: 'paths', result: 'unchanged'})
    return
  }
  state.work.set('paths', {...paths, [operation.name]: {source: 'publisher'}})
  state.outcomes.push({op: 'add-path', value: operation.name, key: 'paths', result: 'changed'})
}
