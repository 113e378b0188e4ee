/**
 * MediaMTX's own load-time rules, applied before r58 writes a file (a file MediaMTX rejects on hot reload
 * shuts the running server down): known keys for the version (nested ICE-server fields included), value
 * types of the WebRTC keys, ICE server URLs (`stun:`/`turn:`/`turns:`; r58 also requires the port), and the
 * checks of `conf.go` (docs/mediamtx.md §1.1) with the version each one arrived in.
 */
import {R58Error} from '../errors.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {closest} from '../util/closest.js'
import {parseHostPort} from '../util/host-port.js'
import type {ConfigDoc} from './config-doc.js'
import {KEY_HISTORY} from './key-history.js'
import {isKeyAccepted, keyRemovedIn, keySince} from './key-rules.js'
import {legacyIceServer} from './operation-steps.js'
import {atLeast, compareVersions, formatVersion, type Version} from './version.js'

export type ProblemId =
  | 'mediamtx.config.unknown-keys'
  | 'mediamtx.config.types'
  | 'mediamtx.config.ice-servers'
  | 'mediamtx.config.rules'

export interface Problem {
  id: ProblemId
  key: string
  message: string
  /** `path:line:col`, or the path when there is no position (live API config). */
  where: string
  fix?: string
}

type Kind = 'bool' | 'string' | 'address' | 'list' | 'duration' | 'ice-list'

const TYPES: Readonly<Record<string, Kind>> = {
  webrtc: 'bool',
  webrtcDisable: 'bool',
  webrtcEncryption: 'bool',
  webrtcIPsFromInterfaces: 'bool',
  webrtcAddress: 'string',
  webrtcServerKey: 'string',
  webrtcServerCert: 'string',
  webrtcAllowOrigin: 'string',
  webrtcLocalUDPAddress: 'address',
  webrtcLocalTCPAddress: 'address',
  webrtcICEUDPMuxAddress: 'address',
  webrtcICETCPMuxAddress: 'address',
  webrtcAllowOrigins: 'list',
  webrtcTrustedProxies: 'list',
  webrtcIPsFromInterfacesList: 'list',
  webrtcAdditionalHosts: 'list',
  webrtcICEHostNAT1To1IPs: 'list',
  webrtcICEInterfaces: 'list',
  webrtcICEServers: 'list',
  webrtcICEServers2: 'ice-list',
  webrtcHandshakeTimeout: 'duration',
  webrtcTrackGatherTimeout: 'duration',
  webrtcSTUNGatherTimeout: 'duration',
  api: 'bool',
  apiAddress: 'string',
}

const GO_DURATION = /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/

function typeError(kind: Kind, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  switch (kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'expected true or false (yes or no)'
    case 'string':
      return typeof value === 'string' ? undefined : 'expected a string'
    case 'address':
      if (typeof value !== 'string') return 'expected an address such as :8189'
      return value === '' || parseHostPort(value) ? undefined : `expected [host]:port such as :8189, got "${value}"`
    case 'duration':
      return typeof value === 'string' && GO_DURATION.test(value) ? undefined : 'expected a duration such as 10s'
    case 'list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? undefined
        : 'expected a list of strings'
    case 'ice-list':
      return Array.isArray(value) && value.every((item) => item !== null && typeof item === 'object')
        ? undefined
        : 'expected a list of {url, username, password} entries'
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

interface Options {
  /** Check top-level keys against the version (off for the live config, which the server already loaded). */
  unknownKeys?: boolean
  /** The version was inferred: say how to give it. */
  inferred?: boolean
}

/** What the rule groups share: the config, the version, and where to add a problem. */
interface Validation {
  doc: ConfigDoc
  version: Version
  /** The version as written, plus ` (inferred)` when it was. */
  shown: string
  inferred: boolean
  add(id: ProblemId, key: string, where: string, message: string, fix?: string): void
  /** `path:line:col` of a key. */
  keyAt(path: (string | number)[]): string
  /** `path:line:col` of a value (of its key when it has none). */
  valueAt(path: (string | number)[]): string
}

/** Every problem MediaMTX `version` would have with this config, in file order. */
export function validateConfig(doc: ConfigDoc, version: Version, options: Options = {}): Problem[] {
  const problems: Problem[] = []
  const at = (offset: number | undefined) => (offset === undefined ? doc.path : doc.where(offset))
  const validation: Validation = {
    doc,
    version,
    shown: formatVersion(version),
    inferred: options.inferred === true,
    add: (id, key, where, message, fix) => problems.push({id, key, where, message, ...(fix !== undefined && {fix})}),
    keyAt: (path) => at(doc.keyRangeOf(path)?.[0]),
    valueAt: (path) => at(doc.rangeOf(path)?.[0] ?? doc.keyRangeOf(path)?.[0]),
  }
  if (options.unknownKeys !== false) unknownKeyProblems(validation)
  typeProblems(validation)
  iceServerProblems(validation)
  // conf.go rules, v1.3.0+ (only while WebRTC is on from v1.16.0)
  if (atLeast(version, 'v1.3.0')) confRuleProblems(validation)
  return problems
}

/** Top-level keys this version refuses: not a setting at all, removed, or newer than the version. */
function unknownKeyProblems({doc, version, shown: v, inferred, add, keyAt}: Validation): void {
  for (const key of doc.keys()) {
    if (isKeyAccepted(key, version)) continue
    const since = keySince(key)
    const removed = keyRemovedIn(key)
    if (!KEY_HISTORY[key]) {
      const guess = closest(key, Object.keys(KEY_HISTORY))
      add(
        'mediamtx.config.unknown-keys',
        key,
        keyAt([key]),
        `${key} is not a MediaMTX setting; MediaMTX refuses to start with it`,
        guess ? `Did you mean ${guess}?` : 'Remove it.',
      )
    } else if (removed && compareVersions(version, removed) >= 0) {
      add(
        'mediamtx.config.unknown-keys',
        key,
        keyAt([key]),
        `${key} was removed in ${formatVersion(removed)} without a replacement shim; MediaMTX ${v} refuses to start with it`,
        'Run `r58 mediamtx configure --migrate-deprecated --write`.',
      )
    } else {
      add(
        'mediamtx.config.unknown-keys',
        key,
        keyAt([key]),
        `${key} is unknown to MediaMTX ${v}${inferred ? ' (inferred)' : ''}; it arrived in ${since ? formatVersion(since) : 'a later release'}`,
        inferred ? 'Pass --mediamtx-version if the server is newer.' : 'Remove it or upgrade MediaMTX.',
      )
    }
  }
}

function typeProblems({doc, add, valueAt}: Validation): void {
  for (const [key, kind] of Object.entries(TYPES)) {
    if (!doc.has(key)) continue
    const problem = typeError(kind, doc.value(key))
    if (problem) add('mediamtx.config.types', key, valueAt([key]), `${key}: ${problem}`)
  }
}

/** The fields of the webrtcICEServers2 entries, then every ICE server URL of both lists. */
function iceServerProblems(validation: Validation): void {
  const {doc, add, valueAt} = validation
  const iceUrls: {url: string; where: string; key: string}[] = []
  const servers2 = doc.value('webrtcICEServers2')
  if (Array.isArray(servers2)) {
    servers2.forEach((item, i) => {
      if (!isRecord(item)) return
      iceServerEntryProblems(validation, item, i)
      iceUrls.push({
        url: String(item['url'] ?? ''),
        where: valueAt(['webrtcICEServers2', i, 'url']),
        key: 'webrtcICEServers2',
      })
    })
  }
  const legacy = doc.value('webrtcICEServers')
  if (Array.isArray(legacy)) {
    legacy.forEach((item, i) => {
      if (typeof item !== 'string') return
      iceUrls.push({url: legacyIceServer(item).url, where: valueAt(['webrtcICEServers', i]), key: 'webrtcICEServers'})
    })
  }
  for (const {url, where, key} of iceUrls) {
    if (!/^(stun|turn|turns):/.test(url)) {
      add(
        'mediamtx.config.ice-servers',
        key,
        where,
        `invalid ICE server "${url}": the URL must start with stun:, turn: or turns:`,
      )
      continue
    }
    try {
      parseIceUrl(url, 'url')
    } catch (error) {
      const text = error instanceof R58Error ? error.text.replace(/^url: /, '') : String(error)
      add('mediamtx.config.ice-servers', key, where, `ICE server ${text}`, (error as R58Error).hint)
    }
  }
}

/** One webrtcICEServers2 entry: unknown fields (clientOnly arrived in v1.7.0) and field types. */
function iceServerEntryProblems(
  {version, shown: v, inferred, add, keyAt, valueAt}: Validation,
  item: Record<string, unknown>,
  i: number,
): void {
  for (const field of Object.keys(item)) {
    const known =
      ['url', 'username', 'password'].includes(field) || (field === 'clientOnly' && atLeast(version, 'v1.7.0'))
    if (!known) {
      add(
        'mediamtx.config.unknown-keys',
        'webrtcICEServers2',
        keyAt(['webrtcICEServers2', i, field]),
        field === 'clientOnly'
          ? `clientOnly is unknown to MediaMTX ${v}${inferred ? ' (inferred)' : ''}; it arrived in v1.7.0`
          : `webrtcICEServers2 entries have no field ${field}`,
      )
    }
  }
  for (const field of ['username', 'password']) {
    const value = item[field]
    if (value !== undefined && value !== null && typeof value !== 'string') {
      add(
        'mediamtx.config.types',
        'webrtcICEServers2',
        valueAt(['webrtcICEServers2', i, field]),
        `${field}: expected a string`,
      )
    }
  }
  if (item['clientOnly'] !== undefined && item['clientOnly'] !== null && typeof item['clientOnly'] !== 'boolean') {
    add(
      'mediamtx.config.types',
      'webrtcICEServers2',
      valueAt(['webrtcICEServers2', i, 'clientOnly']),
      'clientOnly: expected true or false',
    )
  }
}

/** The checks of conf.go (docs/mediamtx.md §1.1), v1.3.0+; from v1.16.0 only while WebRTC is on. */
function confRuleProblems({doc, version, add, keyAt}: Validation): void {
  const get = (key: string) => (doc.has(key) ? doc.value(key) : undefined)
  const str = (value: unknown, fallback: string) =>
    typeof value === 'string' ? value : value == null ? fallback : String(value)
  const disable = get('webrtcDisable')
  const enabled = typeof disable === 'boolean' ? !disable : get('webrtc') !== false
  const oldUdp = get('webrtcICEUDPMuxAddress')
  const oldTcp = get('webrtcICETCPMuxAddress')
  const udp = oldUdp != null ? str(oldUdp, '') : str(get('webrtcLocalUDPAddress'), ':8189')
  const tcp = oldTcp != null ? str(oldTcp, '') : str(get('webrtcLocalTCPAddress'), '')
  const oldHosts = get('webrtcICEHostNAT1To1IPs')
  const hosts = oldHosts != null ? oldHosts : get('webrtcAdditionalHosts')
  const ipsFromInterfaces = get('webrtcIPsFromInterfaces') !== false
  const servers2 = doc.value('webrtcICEServers2')
  const legacy = doc.value('webrtcICEServers')
  const servers = (Array.isArray(servers2) ? servers2.length : 0) + (Array.isArray(legacy) ? legacy.length : 0)
  const anchor = (...keys: string[]) => {
    const key = keys.find((k) => doc.has(k))
    return key ? keyAt([key]) : doc.path
  }
  if (enabled || !atLeast(version, 'v1.16.0')) {
    if (udp === '' && tcp === '' && servers === 0) {
      add(
        'mediamtx.config.rules',
        'webrtcLocalUDPAddress',
        anchor('webrtcLocalUDPAddress', 'webrtcICEUDPMuxAddress', 'webrtcICEServers2', 'webrtc'),
        "at least one between 'webrtcLocalUDPAddress', 'webrtcLocalTCPAddress' or 'webrtcICEServers2' must be filled",
        'Set webrtcLocalUDPAddress: :8189 (r58 mediamtx configure --udp-address :8189).',
      )
    }
    if ((udp !== '' || tcp !== '') && !ipsFromInterfaces && (!Array.isArray(hosts) || hosts.length === 0)) {
      add(
        'mediamtx.config.rules',
        'webrtcIPsFromInterfaces',
        anchor('webrtcIPsFromInterfaces', 'webrtcAdditionalHosts'),
        "at least one between 'webrtcIPsFromInterfaces' or 'webrtcAdditionalHosts' must be filled",
        'Add an address guests can reach: r58 mediamtx configure --add-host IP.',
      )
    }
  }
  if (enabled && atLeast(version, 'v1.16.0') && get('webrtcAddress') === '') {
    add(
      'mediamtx.config.rules',
      'webrtcAddress',
      anchor('webrtcAddress'),
      "'webrtcAddress' must be set when WebRTC is enabled",
    )
  }
}

/** Throws E_MEDIAMTX_CONFIG naming the first problem's position. */
export function assertValid(problems: readonly Problem[], context: string): void {
  const first = problems[0]
  if (!first) return
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''
  throw new R58Error('E_MEDIAMTX_CONFIG', `${first.where}: ${first.message}${more}`, {
    field: first.key,
    hint: first.fix ?? `${context} MediaMTX would refuse to load it.`,
  })
}
