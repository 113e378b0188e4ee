/**
 * Starting `whep` mode: decide the mode (mode.ts), and when it is `whep`, start the façade's own listener
 * (loopback by default: only MediaMTX on this box calls it) and the engine that wires MediaMTX paths to it.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {CallsClient} from '../calls/calls-client.js'
import {R58Error, systemErrorCode} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import type {Log} from '../util/log.js'
import {MediamtxPaths} from './mediamtx-paths.js'
import {chooseRelayMode, type ModeDecision, type RequestedRelayMode} from './mode.js'
import {WhepRelayEngine, type WhepTimings} from './whep-engine.js'
import {WhepFacade} from './whep-facade.js'

export interface WhepModeOptions {
  /** Default `auto`. */
  mode?: RequestedRelayMode
  /** The relay's target is MediaMTX (not an operator's WHIP URL template). Default true. */
  targetIsMediamtx?: boolean
  /** MediaMTX's control API; without it the relay forwards. */
  mediamtxApi?: {url: string; user?: string | undefined; password?: string | undefined} | undefined
  /** The façade's listen address. Default 127.0.0.1, any free port. */
  whepListen?: {host: string; port: number}
  /** MediaMTX path name per guest path (`{path}`). */
  pathTemplate?: string
  keepPaths?: boolean
  whepTimings?: Partial<WhepTimings>
}

export interface WhepSetup {
  decision: ModeDecision
  /** Set in `whep` mode. */
  engine: WhepRelayEngine | undefined
  /** The façade's base URL (MediaMTX's side), or null in forward mode. */
  facadeUrl: string | null
  close(): Promise<void>
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      const code = systemErrorCode(error)
      reject(
        new R58Error('E_CONFIG', `Cannot listen on ${host}:${port} for the WHEP façade: ${code ?? String(error)}`, {
          field: 'relay.whepListen',
          cause: error,
        }),
      )
    })
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port))
  })
}

export async function setUpWhepMode(
  options: WhepModeOptions & {calls: CallsClient; guestIceServers: () => Promise<IceServer[]>; log: Log},
): Promise<WhepSetup> {
  const api = options.mediamtxApi
  const paths = api ? new MediamtxPaths({apiUrl: api.url, user: api.user, password: api.password}) : undefined
  const decision = await chooseRelayMode({
    requested: options.mode ?? 'auto',
    targetIsMediamtx: options.targetIsMediamtx ?? true,
    probe: paths ? () => paths.capability() : undefined,
  })
  options.log({
    level: decision.mode === 'forward' && decision.requested === 'whep' ? 'warn' : 'info',
    event: 'relay.mode',
    msg: `${decision.mode} mode: ${decision.reason}`,
    mode: decision.mode,
    mediamtxVersion: decision.mediamtxVersion,
  })
  if (decision.mode === 'forward' || !paths) {
    return {decision, engine: undefined, facadeUrl: null, close: async () => {}}
  }
  const facade = new WhepFacade({calls: options.calls, log: options.log})
  const server = createServer({requestTimeout: 30_000, headersTimeout: 10_000}, facade.handler())
  server.maxConnections = 64
  const host = options.whepListen?.host ?? '127.0.0.1'
  const port = await listen(server, host, options.whepListen?.port ?? 0)
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const facadeUrl = `http://${urlHost}:${port}`
  const engine = new WhepRelayEngine({
    calls: options.calls,
    facade,
    facadeUrl,
    paths,
    ...(options.pathTemplate !== undefined && {pathTemplate: options.pathTemplate}),
    ...(options.keepPaths !== undefined && {keepPaths: options.keepPaths}),
    guestIceServers: options.guestIceServers,
    ...(options.whepTimings && {timings: options.whepTimings}),
    log: options.log,
  })
  return {
    decision,
    engine,
    facadeUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
