/** The MediaMTX control-API stand-in on a loopback port, with a config and sessions tests can change. */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {parseVersion} from '../../src/mediamtx/version.js'
import {
  createStandinApiHandler,
  type StandinState,
  type StandinWebrtcSession,
} from '../../src/sim/mediamtx/api-server.js'
import {type LoopbackServer, startHttpServer} from './http-server.js'

export interface MediamtxStandin extends LoopbackServer {
  config: Record<string, unknown>
  sessions: StandinWebrtcSession[]
  /** Bodies of the PATCH requests received. */
  patches: Record<string, unknown>[]
  /** Close the connection of the next N requests after each PATCH (MediaMTX restarting its API). */
  resetAfterPatch: number
}

export function session(id: string): StandinWebrtcSession {
  return {
    id,
    created: '2026-11-25T10:00:00Z',
    remoteAddr: '127.0.0.1:5000',
    peerConnectionEstablished: true,
    localCandidate: 'host/udp/127.0.0.1/8189',
    remoteCandidate: 'host/udp/127.0.0.1/5000',
    state: 'publish',
    path: 'cam',
    query: '',
    inboundBytes: 1,
    inboundRTPPackets: 1,
    inboundRTPPacketsLost: 0,
    inboundRTPPacketsJitter: 0,
    inboundRTCPPackets: 0,
    outboundBytes: 0,
    outboundRTPPackets: 0,
    outboundRTCPPackets: 0,
  }
}

export async function startMediamtxStandin(
  version: string,
  config: Record<string, unknown>,
  options: {auth?: {user: string; pass: string}; sessions?: number} = {},
): Promise<MediamtxStandin> {
  const sessions = Array.from({length: options.sessions ?? 0}, (_, i) => session(`s${i}`))
  const patches: Record<string, unknown>[] = []
  const state: StandinState = {
    version: parseVersion(version) ?? [1, 20, 1],
    started: '2026-11-25T10:00:00Z',
    globalConfig: () => config,
    patchGlobalConfig: (patch) => {
      patches.push(structuredClone(patch))
      Object.assign(config, patch)
      return undefined
    },
    paths: () => [],
    webrtcSessions: () => sessions,
    kickWebrtcSession: () => false,
  }
  const handler = createStandinApiHandler({state, ...(options.auth && {auth: options.auth})})
  let resets = 0
  const standin = {config, sessions, patches, resetAfterPatch: 0} as MediamtxStandin
  const server = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    if (resets > 0) {
      resets--
      req.socket.destroy()
      return
    }
    if (req.method === 'PATCH') res.on('finish', () => (resets = standin.resetAfterPatch))
    handler(req, res)
  })
  return Object.assign(standin, server)
}
