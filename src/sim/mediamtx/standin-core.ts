/**
 * The live state of one MediaMTX stand-in (standin-server.ts): its configuration (the file's, and what the API
 * changed in memory), its sessions and the publisher of each path, and how a new configuration is applied. The
 * WHIP listener, the control API and the file watcher all work on this one object.
 */
import {lookup} from 'node:dns/promises'
import {R58Error} from '../../errors.js'
import {type MediamtxConfig, readMediamtxConfig} from '../../mediamtx/config-read.js'
import {readConfigSnapshot} from '../../mediamtx/safe-write.js'
import {atLeast, parseVersion, type Version} from '../../mediamtx/version.js'
import {isLoopbackAddress} from '../../net/address-class.js'
import {type Log, silentLog} from '../../util/log.js'
import {type StandinNetwork, systemInterfaces} from './network.js'
import type {StandinInterface} from './standin-candidates.js'
import type {MediamtxStandinOptions} from './standin-server.js'
import type {StandinSession} from './standin-session.js'
import {WhepSources} from './whep-source.js'

export interface StandinPublisher {
  session: StandinSession
  confName: string
  readyTime: string
}

export interface StandinCore {
  readonly options: MediamtxStandinOptions
  readonly log: Log
  readonly network: StandinNetwork
  /** Where both listeners bind by default. */
  readonly host: string
  readonly version: Version
  readonly started: string
  config: MediamtxConfig
  /** What the file says, for a restart: MediaMTX keeps API changes in memory only. */
  fileConfig: MediamtxConfig
  /** The configuration as the API reads and patches it. */
  mutableRaw: Record<string, unknown>
  readonly sessions: Map<string, StandinSession>
  readonly publishers: Map<string, StandinPublisher>
  /** issue 14: paths whose source is whep:// (whep-source.ts), from the file or added through the API. */
  readonly whepSources: WhepSources
  stopped: boolean
  interfaces(): StandinInterface[]
  resolveHost(name: string): Promise<string[]>
  /** The configuration file's text now (or the text given instead of a file). */
  readText(): Promise<string>
  /** Reads and validates a configuration; an invalid one throws E_MEDIAMTX_CONFIG naming the file. */
  load(text: string): MediamtxConfig
  /** The file name in messages. */
  readonly where: string
}

/** Keys whose change restarts MediaMTX's WebRTC server and drops its sessions (docs/mediamtx.md §3.6). */
const WEBRTC_KEYS = [
  'webrtc',
  'webrtcDisable',
  'webrtcAddress',
  'webrtcEncryption',
  'webrtcServerKey',
  'webrtcServerCert',
  'webrtcAllowOrigin',
  'webrtcAllowOrigins',
  'webrtcTrustedProxies',
  'webrtcLocalUDPAddress',
  'webrtcLocalTCPAddress',
  'webrtcICEUDPMuxAddress',
  'webrtcICETCPMuxAddress',
  'webrtcIPsFromInterfaces',
  'webrtcIPsFromInterfacesList',
  'webrtcAdditionalHosts',
  'webrtcICEHostNAT1To1IPs',
  'webrtcICEServers',
  'webrtcICEServers2',
  'webrtcSTUNGatherTimeout',
  'webrtcHandshakeTimeout',
  'webrtcTrackGatherTimeout',
  'readTimeout',
  'writeTimeout',
]

/** MediaMTX's validation of WebRTC settings (conf.go, v1.3.0+). */
export function validateWebrtc(config: MediamtxConfig, version: Version): string | undefined {
  const w = config.webrtc
  if (!w.enabled) return undefined
  if (w.address.trim() === '') return "'webrtcAddress' must be set"
  for (const server of w.iceServers) {
    if (!/^(stun|turn|turns):/.test(server.url)) return `invalid ICE server: '${server.url}'`
  }
  if (!atLeast(version, 'v1.3.0')) return undefined
  if (w.localUDPAddress === '' && w.localTCPAddress === '' && w.iceServers.length === 0) {
    return "at least one between 'webrtcLocalUDPAddress', 'webrtcLocalTCPAddress' or 'webrtcICEServers2' must be filled"
  }
  if (
    (w.localUDPAddress !== '' || w.localTCPAddress !== '') &&
    !w.ipsFromInterfaces &&
    w.additionalHosts.length === 0
  ) {
    return "at least one between 'webrtcIPsFromInterfaces' or 'webrtcAdditionalHosts' must be filled"
  }
  return undefined
}

async function defaultResolve(name: string): Promise<string[]> {
  try {
    return (await lookup(name, {all: true})).map((a) => a.address)
  } catch {
    return []
  }
}

/** The release to emulate: one with a WHIP server (v0.23.0+). */
function emulatedVersion(options: MediamtxStandinOptions): Version {
  const version = parseVersion(options.version ?? 'v1.20.1')
  if (!version) throw new R58Error('E_USAGE', `not a MediaMTX version: ${options.version}`, {field: 'version'})
  if (!atLeast(version, 'v0.23.0')) {
    throw new R58Error('E_USAGE', `MediaMTX ${options.version} has no WHIP server (it arrived in v0.23.0)`)
  }
  return version
}

/** Checks the options and reads the configuration (an invalid one throws, as MediaMTX refuses to start). */
export async function createStandinCore(options: MediamtxStandinOptions): Promise<StandinCore> {
  const log = options.log ?? silentLog
  const network = options.network ?? 'loopback'
  const host = options.host ?? (network === 'loopback' ? '127.0.0.1' : '0.0.0.0')
  if (network === 'loopback' && !isLoopbackAddress(host)) {
    throw new R58Error('E_USAGE', `the MediaMTX stand-in binds to loopback only, not ${host}`, {field: 'host'})
  }
  const version = emulatedVersion(options)
  const interfaces = (): StandinInterface[] =>
    options.interfaces ?? (network === 'loopback' ? [{name: 'lo', address: '127.0.0.1'}] : systemInterfaces())
  const where = options.configPath ?? 'mediamtx.yml'
  const load = (text: string) => {
    const config = readMediamtxConfig(text, where)
    const invalid = validateWebrtc(config, version)
    if (invalid !== undefined) throw new R58Error('E_MEDIAMTX_CONFIG', `${where}: ${invalid}`, {field: where})
    return config
  }
  const readText = async () => options.configText ?? (await readConfigSnapshot(where)).text
  const config = load(await readText())
  const whepSources = new WhepSources({
    raw: () => core.mutableRaw,
    log,
    onRtp: options.onRtp,
    retryPauseMs: options.whepRetryPauseMs,
    // MediaMTX pulls a whep:// source from its own interfaces, as it serves WebRTC.
    hostAddresses: () => interfaces().map((i) => i.address),
  })
  const core: StandinCore = {
    options,
    log,
    network,
    host,
    version,
    started: new Date().toISOString(),
    config,
    fileConfig: config,
    mutableRaw: config.raw,
    sessions: new Map(),
    publishers: new Map(),
    whepSources,
    stopped: false,
    interfaces,
    resolveHost: options.resolveHost ?? defaultResolve,
    readText,
    load,
    where,
  }
  whepSources.fromFile(config.raw)
  return core
}

export async function closeAllSessions(core: StandinCore, reason: string): Promise<void> {
  await Promise.all([...core.sessions.values()].map((s) => s.close(reason)))
}

/** Applies a new configuration: any WebRTC key change restarts the WebRTC server (drops sessions). */
export async function applyConfig(core: StandinCore, next: MediamtxConfig, why: string): Promise<void> {
  const changed = WEBRTC_KEYS.filter((key) => JSON.stringify(core.config.raw[key]) !== JSON.stringify(next.raw[key]))
  core.config = next
  core.mutableRaw = next.raw
  core.whepSources.fromFile(next.raw)
  if (changed.length > 0) await closeAllSessions(core, 'WebRTC server restarted (configuration changed)')
  core.log({level: 'info', event: 'standin.config.reloaded', msg: `configuration reloaded (${why})`, changed})
}
