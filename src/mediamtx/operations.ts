/**
 * `mediamtx configure` operations as changes of MediaMTX values, gated on the server version: each key is
 * written under the name the version knows (`webrtcAdditionalHosts` from v1.3.0, `webrtcICEHostNAT1To1IPs`
 * before), a deprecated key still in the file is edited in place (MediaMTX's shim lets it win), and an
 * operation the version cannot express is refused. Pure: values in, changes out; the CST editor writes them.
 */
import {isDeepStrictEqual} from 'node:util'
import type {MediamtxIceServer} from './ice-servers.js'
import {isKeyAccepted} from './key-rules.js'
import {
  addHost,
  addPath,
  markClientOnly,
  migrateDeprecated,
  type PlanState,
  refuse,
  removeIceServer,
  setIceServer,
  setListenAddress,
} from './operation-steps.js'
import {atLeast, formatVersion, type Version} from './version.js'

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

/** The values as the operations see them, with the edits made so far. */
export class Working {
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
  const state = planState(values, context)
  const sorted = [...operations].sort((a, b) => ORDER.indexOf(a.op) - ORDER.indexOf(b.op))
  for (const operation of sorted) runOperation(state, operation)
  const changes = state.work.changes()
  for (const change of changes) {
    if (change.after !== undefined && !state.accepts(change.key)) {
      throw refuse(
        `${change.key} is unknown to MediaMTX ${state.shown}${state.exact ? '' : ' (inferred)'}; writing it would stop the server`,
        state.versionHint,
      )
    }
  }
  return {changes, outcomes: state.outcomes, notes: state.notes}
}

/** The shared state of a plan; refuses a version without WHIP publishing (r58 does not configure it). */
function planState(values: ConfigValues, context: PlanContext): PlanState {
  const version = context.version
  const shown = formatVersion(version)
  const exact = context.versionSource !== 'inferred'
  if (!atLeast(version, 'v0.23.0')) {
    throw refuse(
      `MediaMTX ${exact ? shown : `${shown} (inferred)`} has no WebRTC publishing (WHIP arrived in v0.23.0); r58 does not configure it`,
      exact
        ? 'Upgrade MediaMTX to a current release.'
        : 'If the server is v0.23.0 or later, say so with --mediamtx-version (or --api); otherwise upgrade MediaMTX.',
    )
  }
  const accepts = (key: string) => isKeyAccepted(key, version)
  const work = new Working(values, version)
  return {
    values,
    version,
    shown,
    exact,
    versionHint: exact
      ? 'Upgrade MediaMTX, or leave this option out.'
      : 'The version was inferred from the file; pass --mediamtx-version (or --api) if the server is newer.',
    work,
    localAddresses: context.localAddresses,
    outcomes: [],
    notes: [],
    accepts,
    effectiveKey(old, modern) {
      if (work.has(old) && (work.get(old) !== null || !accepts(modern))) return old
      return accepts(modern) ? modern : old
    },
  }
}

function runOperation(state: PlanState, operation: Operation): void {
  switch (operation.op) {
    case 'migrate-deprecated':
      migrateDeprecated(state)
      break
    case 'udp-address':
    case 'tcp-address':
      setListenAddress(state, operation)
      break
    case 'add-host':
      addHost(state, operation)
      break
    case 'ice-server':
      setIceServer(state, operation)
      break
    case 'client-only':
      markClientOnly(state)
      break
    case 'remove-ice-server':
      removeIceServer(state, operation)
      break
    case 'add-path':
      addPath(state, operation)
      break
  }
}
