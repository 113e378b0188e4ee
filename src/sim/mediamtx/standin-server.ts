/**
 * The MediaMTX stand-in: MediaMTX cannot be installed here, so tests, the lab and the relay talk to this
 * werift-based emulation of its documented WHIP server and v3 control API (docs/mediamtx.md §3–4). It reads a real
 * mediamtx.yml and reloads when the file changes (an invalid file stops it, as it stops MediaMTX). By default it
 * only ever uses loopback for media: it may *advertise* LAN or public addresses (from `interfaces` and
 * `webrtcAdditionalHosts`), but nothing listens there and none of its peers sends anywhere but 127.0.0.1. With
 * `network: 'interfaces'` (inside a network namespace, as the NAT lab runs it) it behaves like MediaMTX on a
 * real box: see network.ts.
 */

import {type FSWatcher, watch} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {basename, dirname} from 'node:path'
import type {RtpPacket} from 'werift'
import {R58Error} from '../../errors.js'
import type {MediamtxConfig} from '../../mediamtx/config-read.js'
import type {Version} from '../../mediamtx/version.js'
import {parseHostPort} from '../../util/host-port.js'
import type {Log} from '../../util/log.js'
import {createStandinApiHandler, type StandinState} from './api-server.js'
import type {StandinNetwork} from './network.js'
import {createStandinState} from './standin-api-state.js'
import type {StandinInterface} from './standin-candidates.js'
import {applyConfig, closeAllSessions, createStandinCore, type StandinCore} from './standin-core.js'
import type {StandinSession} from './standin-session.js'
import {whipContext} from './standin-whip-sessions.js'
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

interface Listeners {
  whipServer: Server
  apiServer: Server | undefined
  whipUrl: string
  apiUrl: string | null
}

/** The WHIP listener, and the control API when asked for or enabled in the file. */
async function startListeners(core: StandinCore, state: StandinState): Promise<Listeners> {
  const {options, config, network} = core
  // On real interfaces each listener binds the host of its own address key, as MediaMTX does (`:8889`: every
  // interface; `127.0.0.1:9997`: this box only), unless `host` says otherwise.
  const bindHost = (address: string) =>
    options.host ?? (network === 'loopback' ? core.host : parseHostPort(address)?.host || '0.0.0.0')
  const whipServer = createServer(createWhipHandler(whipContext(core)))
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
  return {
    whipServer,
    apiServer,
    whipUrl: `http://${urlHost(whipHost)}:${whipPort}`,
    apiUrl: apiPort === undefined ? null : `http://${urlHost(apiHost)}:${apiPort}`,
  }
}

interface Lifecycle {
  close(reason?: string): Promise<void>
  reload(): Promise<void>
  exited: Promise<string>
}

/** Stopping (close(), or an invalid file on reload, as MediaMTX exits) and reloading when the file changes. */
function lifecycle(core: StandinCore, listeners: Listeners): Lifecycle {
  const {options, log} = core
  let resolveExited: (reason: string) => void = () => {}
  const exited = new Promise<string>((resolve) => {
    resolveExited = resolve
  })
  let watcher: FSWatcher | undefined
  let reloadTimer: NodeJS.Timeout | undefined
  let lastReload = 0
  const close = async (reason = 'closed') => {
    if (core.stopped) return
    core.stopped = true
    watcher?.close()
    clearTimeout(reloadTimer)
    await closeAllSessions(core, 'terminated')
    await core.whepSources.stopAll()
    await closeServer(listeners.whipServer)
    if (listeners.apiServer) await closeServer(listeners.apiServer)
    log({level: 'info', event: 'standin.stopped', msg: `stand-in stopped: ${reason}`})
    resolveExited(reason)
  }
  const reload = async () => {
    if (core.stopped) return
    lastReload = Date.now()
    let next: MediamtxConfig
    try {
      next = core.load(await core.readText())
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
    core.fileConfig = next
    await applyConfig(core, next, 'file changed')
  }
  if (options.configPath !== undefined && options.configText === undefined) {
    const file = basename(options.configPath)
    watcher = watch(dirname(options.configPath), (_event, name) => {
      if (name !== file || core.stopped) return
      if (Date.now() - lastReload < (options.minReloadIntervalMs ?? 1000)) return
      clearTimeout(reloadTimer)
      reloadTimer = setTimeout(() => void reload(), 10)
      reloadTimer.unref()
    })
    watcher.unref()
  }
  return {close, reload, exited}
}

/** "MediaMTX restarted": sessions end, and the paths added through the API are forgotten. */
async function restart(core: StandinCore, reason: string): Promise<void> {
  await closeAllSessions(core, reason)
  // A restarted MediaMTX forgets the paths added through its API, and pulls its file's sources again.
  await core.whepSources.stopAll()
  core.config = core.fileConfig
  core.mutableRaw = core.fileConfig.raw
  core.whepSources.fromFile(core.config.raw)
}

export async function startMediamtxStandin(options: MediamtxStandinOptions): Promise<MediamtxStandin> {
  const core = await createStandinCore(options)
  const state = createStandinState(core)
  const listeners = await startListeners(core, state)
  const {whipUrl, apiUrl} = listeners
  const {close, reload, exited} = lifecycle(core, listeners)
  core.log({
    level: 'info',
    event: 'standin.started',
    msg: `MediaMTX ${options.version ?? 'v1.20.1'} stand-in: WHIP on ${whipUrl}${apiUrl ? `, API on ${apiUrl}` : ''}`,
  })
  return {
    whipUrl,
    apiUrl,
    version: core.version,
    endpoint: (path) => `${whipUrl}/${path}/whip`,
    config: () => core.config,
    state,
    sessions: () => [...core.sessions.values()],
    restart: (reason = 'MediaMTX restarted') => restart(core, reason),
    reload,
    close: () => close(),
    exited,
  }
}
