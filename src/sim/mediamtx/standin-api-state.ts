/**
 * What the stand-in's control API (api-server.ts) serves: the global and path configuration (changed in memory, as
 * MediaMTX keeps API changes), the published paths and the WHEP-sourced ones, and the WebRTC sessions.
 */
import {stringify} from 'yaml'
import {R58Error} from '../../errors.js'
import type {MediamtxConfig} from '../../mediamtx/config-read.js'
import {atLeast} from '../../mediamtx/version.js'
import type {StandinPath, StandinState, StandinWebrtcSession} from './api-server.js'
import {applyConfig, type StandinCore} from './standin-core.js'

/** The global configuration as `/v3/config/global/get` returns it (passwords redacted from v1.20.1). */
function globalConfig(core: StandinCore): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(core.mutableRaw)) {
    if (key === 'paths' || key === 'pathDefaults') continue
    out[key] = value
  }
  if (atLeast(core.version, 'v1.20.1') && Array.isArray(out['authInternalUsers'])) {
    out['authInternalUsers'] = (out['authInternalUsers'] as Record<string, unknown>[]).map((u) => ({
      ...u,
      pass: '<redacted>',
    }))
  }
  return out
}

/** Validates the patched configuration as a reload would, and applies it; returns the refusal, if any. */
function patchGlobalConfig(core: StandinCore, patch: Record<string, unknown>): string | undefined {
  const merged = {...core.mutableRaw, ...patch}
  let next: MediamtxConfig
  try {
    next = core.load(stringify(merged))
  } catch (e) {
    return e instanceof R58Error ? e.text.replace(`${core.where}: `, '') : String(e)
  }
  void applyConfig(core, next, 'API patch')
  return undefined
}

function publishedPaths(core: StandinCore): StandinPath[] {
  return [...core.publishers.entries()].map(([name, p]) => ({
    name,
    confName: p.confName,
    ready: true,
    readyTime: p.readyTime,
    source: {type: 'webRTCSession', id: p.session.id},
    tracks: p.session.tracks.filter((t) => t.firstPacketAt !== null).map((t) => t.codec),
    inboundBytes: p.session.inboundBytes,
    outboundBytes: 0,
    readers: [],
  }))
}

function webrtcSessions(core: StandinCore): StandinWebrtcSession[] {
  return [...core.sessions.values()].map((s) => ({
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
  }))
}

export function createStandinState(core: StandinCore): StandinState {
  const state: StandinState = {
    version: core.version,
    started: core.started,
    globalConfig: () => globalConfig(core),
    patchGlobalConfig: (patch) => patchGlobalConfig(core, patch),
    pathConfigs: () =>
      Object.fromEntries(
        Object.entries((core.mutableRaw['paths'] ?? {}) as Record<string, Record<string, unknown> | null>).map(
          ([name, conf]) => [name, {...conf}],
        ),
      ),
    setPathConfigs: (paths) => state.patchGlobalConfig({paths}),
    // issue 14: WHEP-sourced paths are listed next to the published ones.
    paths: () => [...publishedPaths(core), ...core.whepSources.paths()],
    webrtcSessions: () => webrtcSessions(core),
    kickWebrtcSession: (id) => {
      const s = core.sessions.get(id)
      if (!s) return false
      void s.close('kicked')
      return true
    },
  }
  return state
}
