/**
 * The MediaMTX stand-in: MediaMTX cannot be installed here, so tests, the lab and the relay talk to this
 * werift-based emulation of its documented WHIP server and v3 control API (docs/mediamtx.md §3–4). It reads a real
 * mediamtx.yml and reloads when the file changes (an invalid file stops it, as it stops MediaMTX). By default it
 * only ever uses loopback for media: it may *advertise* LAN or public addresses (from `interfaces` and
 * `webrtcAdditionalHosts`), but nothing listens there and none of its peers sends anywhere but 127.0.0.1. With
 * `network: 'interfaces'` (inside a network namespace, as the NAT lab runs it) it behaves like MediaMTX on a
 * real box: see network.ts.
 */

import {lookup} from 'node:dns/promises'
import {type FSWatcher, watch} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {isIPv4, isIPv6} from 'node:net'
import {basename, dirname} from 'node:path'
import type {RTCIceServer, RtpPacket} from 'werift'
import {stringify} from 'yaml'
import {R58Error} from '../../errors.js'
import {parseIceUrl} from '../../ice/ice-url.js'
import {type MediamtxConfig, readMediamtxConfig} from '../../mediamtx/config-read.js'
import {readConfigSnapshot} from '../../mediamtx/safe-write.js'
import {atLeast, parseVersion, type Version} from '../../mediamtx/version.js'
import {isLoopbackAddress} from '../../net/address-class.js'
import {restCredential} from '../../turn/rest-credentials.js'
import {parseHostPort} from '../../util/host-port.js'
import {type Log, silentLog} from '../../util/log.js'
import {formatLinkHeaders} from '../../whip/link-header.js'
import {createStandinApiHandler, type StandinPath, type StandinState, type StandinWebrtcSession} from './api-server.js'
import {matchPathConf} from './auth.js'
import {type StandinNetwork, systemInterfaces} from './network.js'
import {mediamtxCandidates, muxPort, type StandinInterface} from './standin-candidates.js'
import {StandinSession} from './standin-session.js'
import {WhepSources} from './whep-source.js'
import {createWhipHandler} from './whip-http.js'

export interface MediamtxStandinOptions {
  /** mediamtx.yml to read (and watch). */
  configPath?: string
  /** Or the file's text (not watched). */
  configText?: string
  /** MediaMTX release to emulate. Default v1.20.1. */
  version?: string
  /** Loopback only (default), or every interface of this network namespace (network.ts). */
  network?: StandinNetwork
  /**
   * Address both listeners bind to. Default 127.0.0.1 (loopback mode: anything but loopback is refused), or
   * 0.0.0.0 in `interfaces` mode.
   */
  host?: string
  /** WHIP/WebRTC HTTP port instead of webrtcAddress's (0 = any free port). */
  whipPort?: number
  /** Control API port instead of apiAddress's (0 = any free port); when given, the API runs even with `api: false`. */
  apiPort?: number
  /**
   * The interfaces MediaMTX would see. Loopback mode: advertised, never used; default lo 127.0.0.1. Interfaces
   * mode: default this namespace's, read for every session.
   */
  interfaces?: StandinInterface[]
  /** Resolves webrtcAdditionalHosts host names (v1.14+). Default: the system resolver. */
  resolveHost?: (name: string) => Promise<string[]>
  /** MediaMTX ignores file events within 1 s of the previous reload. Default 1000. */
  minReloadIntervalMs?: number
  log?: Log
  /** Observes every RTP packet published into the stand-in (benchmarks measure delivery and latency). */
  onRtp?: (packet: RtpPacket, from: {path: string; kind: 'audio' | 'video'}) => void
  /** issue 14: pause before a `source: whep://` path pulls again (MediaMTX: 5 s). */
  whepRetryPauseMs?: number
}

export interface MediamtxStandin {
  /** Base URL of the WHIP listener, e.g. `http://127.0.0.1:8889`. */
  whipUrl: string
  /** Base URL of the control API, or null when it is not running. */
  apiUrl: string | null
  readonly version: Version
  /** The WHIP endpoint of a path: `<whipUrl>/<path>/whip`. */
  endpoint(path: string): string
  config(): MediamtxConfig
  /** The state the control API serves (paths, sessions, global config). */
  readonly state: StandinState
  sessions(): StandinSession[]
  /** "MediaMTX restarted": closes every session (paths lose their publishers). */
  restart(reason?: string): Promise<void>
  /** Re-reads the config file now (as a file change would). */
  reload(): Promise<void>
  close(): Promise<void>
  /** Resolves with the reason when the stand-in stops (close(), or an invalid config on reload). */
  readonly exited: Promise<string>
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

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
}

export async function startMediamtxStandin(options: MediamtxStandinOptions): Promise<MediamtxStandin> {
  const log = options.log ?? silentLog
  const network = options.network ?? 'loopback'
  const host = options.host ?? (network === 'loopback' ? '127.0.0.1' : '0.0.0.0')
  if (network === 'loopback' && !isLoopbackAddress(host)) {
    throw new R58Error('E_USAGE', `the MediaMTX stand-in binds to loopback only, not ${host}`, {field: 'host'})
  }
  const version = parseVersion(options.version ?? 'v1.20.1')
  if (!version) throw new R58Error('E_USAGE', `not a MediaMTX version: ${options.version}`, {field: 'version'})
  if (!atLeast(version, 'v0.23.0')) {
    throw new R58Error('E_USAGE', `MediaMTX ${options.version} has no WHIP server (it arrived in v0.23.0)`)
  }
  const interfaces = (): StandinInterface[] =>
    options.interfaces ?? (network === 'loopback' ? [{name: 'lo', address: '127.0.0.1'}] : systemInterfaces())
  const resolveHost = options.resolveHost ?? defaultResolve
  const where = options.configPath ?? 'mediamtx.yml'
  const readText = async () => options.configText ?? (await readConfigSnapshot(where)).text
  const load = (text: string) => {
    const config = readMediamtxConfig(text, where)
    const invalid = validateWebrtc(config, version)
    if (invalid !== undefined) throw new R58Error('E_MEDIAMTX_CONFIG', `${where}: ${invalid}`, {field: where})
    return config
  }

  let config = load(await readText())
  const sessions = new Map<string, StandinSession>()
  const publishers = new Map<string, {session: StandinSession; confName: string; readyTime: string}>()
  const started = new Date().toISOString()
  let resolveExited: (reason: string) => void = () => {}
  const exited = new Promise<string>((resolve) => {
    resolveExited = resolve
  })
  let stopped = false

  const iceServers = (forClients: boolean): {url: string; username: string; password: string}[] =>
    config.webrtc.iceServers
      .filter((s) => forClients || !s.clientOnly)
      .map((s) => {
        if (s.username !== 'AUTH_SECRET') return {url: s.url, username: s.username, password: s.password}
        const minted = restCredential(s.password, 24 * 3600, 'mediamtx')
        return {url: s.url, username: minted.username, password: minted.credential}
      })

  /** The server's own ICE servers: on loopback only loopback ones are used; the rest are skipped and logged. */
  const serverIceServers = (): RTCIceServer[] => {
    const out: RTCIceServer[] = []
    for (const s of iceServers(false)) {
      if (network === 'interfaces') {
        out.push({urls: s.url, ...(s.username && {username: s.username, credential: s.password})})
        continue
      }
      let loopback = false
      try {
        loopback = isLoopbackAddress(parseIceUrl(s.url).host)
      } catch {
        loopback = false
      }
      if (!loopback) {
        log({
          level: 'warn',
          event: 'standin.ice-server.skipped',
          msg: `not contacting ${s.url}: the stand-in uses loopback ICE servers only`,
        })
        continue
      }
      out.push({urls: s.url, ...(s.username && {username: s.username, credential: s.password})})
    }
    return out
  }

  const resolvedHosts = async (): Promise<Map<string, string[]>> => {
    const map = new Map<string, string[]>()
    if (!atLeast(version, 'v1.14.0')) return map
    for (const name of config.webrtc.additionalHosts) {
      if (isIPv4(name) || isIPv6(name)) continue
      map.set(name, await resolveHost(name))
    }
    return map
  }

  // On real interfaces sessions take the first free port from webrtcLocalUDPAddress's: one at a time.
  let creating: Promise<unknown> = Promise.resolve()
  const createSession = (request: {pathName: string; query: string; remoteAddr: string; offer: string}) => {
    const next = creating.then(() => createSessionNow(request))
    creating = next.catch(() => {})
    return next
  }
  const createSessionNow = async (request: {pathName: string; query: string; remoteAddr: string; offer: string}) => {
    const resolved = await resolvedHosts()
    const session = await StandinSession.create({
      ...request,
      ...(options.onRtp && {onRtp: options.onRtp}),
      network,
      udpPort: muxPort(config.webrtc.localUDPAddress),
      iceServers: serverIceServers(),
      handshakeTimeoutMs: config.webrtc.handshakeTimeoutMs,
      trackGatherTimeoutMs: config.webrtc.trackGatherTimeoutMs,
      candidates: (udpPort, serverReflexive) => {
        const result = mediamtxCandidates({
          webrtc: config.webrtc,
          version,
          interfaces: interfaces(),
          resolved,
          loopbackUdpPort: udpPort,
          ...(network === 'interfaces' && {sessionUdpPort: udpPort}),
          serverReflexive,
        })
        for (const skipped of result.skipped)
          log({level: 'warn', event: 'standin.additional-host.skipped', msg: skipped})
        return result
      },
      onPublishing: (s) => {
        const previous = publishers.get(s.pathName)
        if (previous && previous.session !== s) void previous.session.close('closed by another publisher')
        publishers.set(s.pathName, {
          session: s,
          confName: matchPathConf(config.paths, s.pathName) ?? s.pathName,
          readyTime: new Date().toISOString(),
        })
        log({
          level: 'info',
          event: 'standin.path.ready',
          msg: `path ${s.pathName} is ready`,
          path: s.pathName,
          id: s.id,
        })
      },
      onClosed: (s) => {
        sessions.delete(s.id)
        if (publishers.get(s.pathName)?.session === s) publishers.delete(s.pathName)
      },
      log,
    })
    sessions.set(session.id, session)
    log({level: 'info', event: 'standin.session.created', msg: `session ${session.id} created`, path: request.pathName})
    return session
  }

  const closeAll = async (reason: string) => {
    await Promise.all([...sessions.values()].map((s) => s.close(reason)))
  }

  const whipServer = createServer(
    createWhipHandler({
      version: () => version,
      config: () => config,
      links: () =>
        formatLinkHeaders(
          iceServers(true).map((s) => ({
            urls: s.url,
            ...(s.username && {username: s.username, credential: s.password}),
          })),
        ),
      createSession,
      sessionBySecret: (secret) => [...sessions.values()].find((s) => s.secret === secret),
      deleteSession: (s) => s.close('deleted by the client'),
    }),
  )

  let mutableRaw = config.raw
  // issue 14: paths whose source is whep:// (whep-source.ts), from the file or added through the API.
  const whepSources = new WhepSources({
    raw: () => mutableRaw,
    log,
    onRtp: options.onRtp,
    retryPauseMs: options.whepRetryPauseMs,
    // MediaMTX pulls a whep:// source from its own interfaces, as it serves WebRTC.
    hostAddresses: () => interfaces().map((i) => i.address),
  })
  whepSources.fromFile(config.raw)
  // What the file says, for a restart: MediaMTX keeps API changes in memory only.
  let fileConfig = config
  const state: StandinState = {
    version,
    started,
    globalConfig: () => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(mutableRaw)) {
        if (key === 'paths' || key === 'pathDefaults') continue
        out[key] = value
      }
      if (atLeast(version, 'v1.20.1') && Array.isArray(out['authInternalUsers'])) {
        out['authInternalUsers'] = (out['authInternalUsers'] as Record<string, unknown>[]).map((u) => ({
          ...u,
          pass: '<redacted>',
        }))
      }
      return out
    },
    patchGlobalConfig: (patch) => {
      const merged = {...mutableRaw, ...patch}
      let next: MediamtxConfig
      try {
        next = load(stringify(merged))
      } catch (e) {
        return e instanceof R58Error ? e.text.replace(`${where}: `, '') : String(e)
      }
      void apply(next, 'API patch')
      return undefined
    },
    pathConfigs: () =>
      Object.fromEntries(
        Object.entries((mutableRaw['paths'] ?? {}) as Record<string, Record<string, unknown> | null>).map(
          ([name, conf]) => [name, {...conf}],
        ),
      ),
    setPathConfigs: (paths) => state.patchGlobalConfig({paths}),
    paths: (): StandinPath[] =>
      [...publishers.entries()].map(([name, p]) => ({
        name,
        confName: p.confName,
        ready: true,
        readyTime: p.readyTime,
        source: {type: 'webRTCSession', id: p.session.id},
        tracks: p.session.tracks.filter((t) => t.firstPacketAt !== null).map((t) => t.codec),
        inboundBytes: p.session.inboundBytes,
        outboundBytes: 0,
        readers: [],
      })),
    webrtcSessions: (): StandinWebrtcSession[] =>
      [...sessions.values()].map((s) => ({
        id: s.id,
        created: s.created,
        remoteAddr: s.remoteAddr,
        peerConnectionEstablished: s.peerConnectionEstablished,
        localCandidate: s.localCandidate,
        remoteCandidate: s.remoteCandidate,
        state: 'publish',
        path: s.pathName,
        query: s.query,
        inboundBytes: s.inboundBytes,
        inboundRTPPackets: s.inboundPackets,
        inboundRTPPacketsLost: 0,
        inboundRTPPacketsJitter: 0,
        inboundRTCPPackets: s.rtcpPacketsReceived,
        outboundBytes: 0,
        outboundRTPPackets: 0,
        outboundRTCPPackets: 0,
      })),
    kickWebrtcSession: (id) => {
      const s = sessions.get(id)
      if (!s) return false
      void s.close('kicked')
      return true
    },
  }

  // issue 14: WHEP-sourced paths are listed next to the published ones.
  const publishedPaths = state.paths
  state.paths = () => [...publishedPaths(), ...whepSources.paths()]

  /** Applies a new configuration: any WebRTC key change restarts the WebRTC server (drops sessions). */
  const apply = async (next: MediamtxConfig, why: string) => {
    const changed = WEBRTC_KEYS.filter((key) => JSON.stringify(config.raw[key]) !== JSON.stringify(next.raw[key]))
    config = next
    mutableRaw = next.raw
    whepSources.fromFile(next.raw)
    if (changed.length > 0) await closeAll('WebRTC server restarted (configuration changed)')
    log({level: 'info', event: 'standin.config.reloaded', msg: `configuration reloaded (${why})`, changed})
  }

  // On real interfaces each listener binds the host of its own address key, as MediaMTX does (`:8889`: every
  // interface; `127.0.0.1:9997`: this box only), unless `host` says otherwise.
  const bindHost = (address: string) =>
    options.host ?? (network === 'loopback' ? host : parseHostPort(address)?.host || '0.0.0.0')
  const whipHost = bindHost(config.webrtc.address)
  const whipPort = await listen(
    whipServer,
    whipHost,
    options.whipPort ?? parseHostPort(config.webrtc.address)?.port ?? 8889,
  )
  let apiServer: Server | undefined
  let apiPort: number | undefined
  let apiHost = whipHost
  if (options.apiPort !== undefined || config.api.enabled) {
    const handler = createStandinApiHandler({state})
    apiServer = createServer((req: IncomingMessage, res: ServerResponse) => handler(req, res))
    apiHost = bindHost(config.api.address)
    apiPort = await listen(apiServer, apiHost, options.apiPort ?? parseHostPort(config.api.address)?.port ?? 9997)
  }

  const urlHost = (bound: string) => (bound.includes(':') ? `[${bound}]` : bound)
  const whipUrl = `http://${urlHost(whipHost)}:${whipPort}`
  const apiUrl = apiPort === undefined ? null : `http://${urlHost(apiHost)}:${apiPort}`

  const close = async (reason = 'closed') => {
    if (stopped) return
    stopped = true
    watcher?.close()
    clearTimeout(reloadTimer)
    await closeAll('terminated')
    await whepSources.stopAll()
    await closeServer(whipServer)
    if (apiServer) await closeServer(apiServer)
    log({level: 'info', event: 'standin.stopped', msg: `stand-in stopped: ${reason}`})
    resolveExited(reason)
  }

  let lastReload = 0
  const reload = async () => {
    if (stopped) return
    lastReload = Date.now()
    let next: MediamtxConfig
    try {
      next = load(await readText())
    } catch (e) {
      const message = e instanceof R58Error ? e.text : String(e)
      log({
        level: 'error',
        event: 'standin.config.invalid',
        msg: `${message}; MediaMTX exits on an invalid configuration`,
      })
      await close(message)
      return
    }
    fileConfig = next
    await apply(next, 'file changed')
  }

  let watcher: FSWatcher | undefined
  let reloadTimer: NodeJS.Timeout | undefined
  if (options.configPath !== undefined && options.configText === undefined) {
    const file = basename(options.configPath)
    watcher = watch(dirname(options.configPath), (_event, name) => {
      if (name !== file || stopped) return
      if (Date.now() - lastReload < (options.minReloadIntervalMs ?? 1000)) return
      clearTimeout(reloadTimer)
      reloadTimer = setTimeout(() => void reload(), 10)
      reloadTimer.unref()
    })
    watcher.unref()
  }

  log({
    level: 'info',
    event: 'standin.started',
    msg: `MediaMTX ${options.version ?? 'v1.20.1'} stand-in: WHIP on ${whipUrl}${apiUrl ? `, API on ${apiUrl}` : ''}`,
  })

  return {
    whipUrl,
    apiUrl,
    version,
    endpoint: (path) => `${whipUrl}/${path}/whip`,
    config: () => config,
    state,
    sessions: () => [...sessions.values()],
    restart: async (reason = 'MediaMTX restarted') => {
      await closeAll(reason)
      // A restarted MediaMTX forgets the paths added through its API, and pulls its file's sources again.
      await whepSources.stopAll()
      config = fileConfig
      mutableRaw = fileConfig.raw
      whepSources.fromFile(config.raw)
    },
    reload,
    close: () => close(),
    exited,
  }
}
