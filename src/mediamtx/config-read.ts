/**
 * Reads a mediamtx.yml the way MediaMTX does, into a typed view of what matters for WebRTC reachability.
 *
 * MediaMTX parsed YAML 1.1 up to v1.16.1 (`yes`/`no` are booleans) and converts those words itself since, so
 * the file is read with the YAML 1.1 schema. Deprecated keys are folded into their replacements the way
 * MediaMTX's shims do (`webrtcDisable` → `webrtc`, `webrtcICEUDPMuxAddress` → `webrtcLocalUDPAddress`, …);
 * missing keys take MediaMTX's defaults. Editing is elsewhere (the file must stay byte-identical).
 */
import {LineCounter, parseDocument} from 'yaml'
import {R58Error} from '../errors.js'
import {parseDuration} from '../util/duration.js'
import {assertAliasesBounded, MAX_ALIAS_COUNT} from './config-doc.js'

export interface MediamtxIceServerConf {
  url: string
  username: string
  password: string
  clientOnly: boolean
}

export interface MediamtxWebrtc {
  enabled: boolean
  /** HTTP listener for WHIP/WHEP, e.g. `:8889`. */
  address: string
  encryption: boolean
  /** UDP mux listener (`:8189`), or '' when off. */
  localUDPAddress: string
  /** TCP mux listener, or '' when off. */
  localTCPAddress: string
  ipsFromInterfaces: boolean
  ipsFromInterfacesList: string[]
  /** Extra advertised hosts (`webrtcAdditionalHosts`, or the pre-v1.3 `webrtcICEHostNAT1To1IPs`). */
  additionalHosts: string[]
  /** True when `additionalHosts` came from webrtcICEHostNAT1To1IPs, which *replaced* host IPs instead of adding. */
  hostsReplaceInterfaces: boolean
  iceServers: MediamtxIceServerConf[]
  allowOrigins: string[]
  handshakeTimeoutMs: number
  trackGatherTimeoutMs: number
  stunGatherTimeoutMs: number
}

export interface MediamtxApiConf {
  enabled: boolean
  address: string
}

export interface MediamtxConfig {
  path: string
  /** Top-level keys present in the file, in order. */
  keys: string[]
  /** The parsed top level (YAML 1.1 semantics). */
  raw: Record<string, unknown>
  webrtc: MediamtxWebrtc
  api: MediamtxApiConf
  /** Names under `paths:` (including `all`, `all_others` and `~regexp` entries). */
  paths: string[]
}

const str = (value: unknown, fallback: string): string =>
  value === null || value === undefined ? fallback : typeof value === 'string' ? value : String(value)
const bool = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback)
const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((item) => String(item)) : typeof value === 'string' && value ? [value] : []
const ms = (value: unknown, fallback: number): number =>
  typeof value === 'string' ? (parseDuration(value) ?? fallback) : typeof value === 'number' ? value : fallback

/** `webrtcICEServers` (≤ v0.23.6): strings `stun:host:port` or `turn:user:pass:host:port`. */
function legacyIceServer(entry: string): MediamtxIceServerConf {
  const parts = entry.split(':')
  if ((parts[0] === 'turn' || parts[0] === 'turns') && parts.length === 5) {
    return {
      url: `${parts[0]}:${parts[3]}:${parts[4]}`,
      username: parts[1] ?? '',
      password: parts[2] ?? '',
      clientOnly: false,
    }
  }
  return {url: entry, username: '', password: '', clientOnly: false}
}

function iceServers(raw: Record<string, unknown>): MediamtxIceServerConf[] {
  const modern = raw['webrtcICEServers2']
  if (Array.isArray(modern)) {
    return modern.map((item) => {
      const entry = (item ?? {}) as Record<string, unknown>
      return {
        url: str(entry['url'], ''),
        username: str(entry['username'], ''),
        password: str(entry['password'], ''),
        clientOnly: bool(entry['clientOnly'], false),
      }
    })
  }
  return list(raw['webrtcICEServers']).map(legacyIceServer)
}

const OLD_ICE_KEYS = [
  'webrtcDisable',
  'webrtcICEServers',
  'webrtcICEHostNAT1To1IPs',
  'webrtcICEUDPMuxAddress',
  'webrtcICETCPMuxAddress',
]
const NEW_ICE_KEYS = [
  'webrtcLocalUDPAddress',
  'webrtcLocalTCPAddress',
  'webrtcIPsFromInterfaces',
  'webrtcAdditionalHosts',
]

/**
 * Before v1.3.0 MediaMTX used random UDP ports unless a mux address was set; since then `:8189` is the default.
 * A file written for the old model (it has old keys and none of the new ones) keeps the old default.
 */
function usesOldIceModel(raw: Record<string, unknown>): boolean {
  return !NEW_ICE_KEYS.some((key) => key in raw) && OLD_ICE_KEYS.some((key) => key in raw)
}

export function readMediamtxConfig(text: string, path: string): MediamtxConfig {
  const lines = new LineCounter()
  const doc = parseDocument(text, {version: '1.1', lineCounter: lines, uniqueKeys: true})
  const error = doc.errors[0]
  if (error) {
    const {line, col} = lines.linePos(error.pos[0])
    throw new R58Error('E_MEDIAMTX_CONFIG', `${path}:${line}:${col}: ${error.message.split('\n')[0]}`, {
      field: path,
      hint: 'MediaMTX would refuse to load this file; fix the YAML first.',
    })
  }
  assertAliasesBounded(doc, path, (offset) => {
    const {line, col} = lines.linePos(offset)
    return `${path}:${line}:${col}`
  })
  const value = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT}) as unknown
  if (value === null || value === undefined) {
    throw new R58Error('E_MEDIAMTX_CONFIG', `${path}: the file is empty`, {field: path})
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new R58Error('E_MEDIAMTX_CONFIG', `${path}: the top level must be a mapping of settings`, {field: path})
  }
  const raw = value as Record<string, unknown>
  const nat1To1 = list(raw['webrtcICEHostNAT1To1IPs'])
  const enabled = 'webrtc' in raw ? bool(raw['webrtc'], true) : !bool(raw['webrtcDisable'], false)
  const pathsValue = raw['paths']
  return {
    path,
    keys: Object.keys(raw),
    raw,
    webrtc: {
      enabled,
      address: str(raw['webrtcAddress'], ':8889'),
      encryption: bool(raw['webrtcEncryption'], false),
      localUDPAddress: str(
        raw['webrtcLocalUDPAddress'] ?? raw['webrtcICEUDPMuxAddress'],
        usesOldIceModel(raw) ? '' : ':8189',
      ),
      localTCPAddress: str(raw['webrtcLocalTCPAddress'] ?? raw['webrtcICETCPMuxAddress'], ''),
      ipsFromInterfaces: bool(raw['webrtcIPsFromInterfaces'], true),
      ipsFromInterfacesList: list(raw['webrtcIPsFromInterfacesList']),
      additionalHosts: 'webrtcAdditionalHosts' in raw ? list(raw['webrtcAdditionalHosts']) : nat1To1,
      hostsReplaceInterfaces: !('webrtcAdditionalHosts' in raw) && nat1To1.length > 0,
      iceServers: iceServers(raw),
      allowOrigins:
        'webrtcAllowOrigins' in raw ? list(raw['webrtcAllowOrigins']) : list(raw['webrtcAllowOrigin'] ?? '*'),
      handshakeTimeoutMs: ms(raw['webrtcHandshakeTimeout'], 10_000),
      trackGatherTimeoutMs: ms(raw['webrtcTrackGatherTimeout'], 2_000),
      stunGatherTimeoutMs: ms(raw['webrtcSTUNGatherTimeout'], 5_000),
    },
    api: {enabled: bool(raw['api'], false), address: str(raw['apiAddress'], ':9997')},
    paths: pathsValue && typeof pathsValue === 'object' ? Object.keys(pathsValue) : [],
  }
}
