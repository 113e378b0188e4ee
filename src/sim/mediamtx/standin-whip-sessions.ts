/**
 * How a WHIP POST to the stand-in becomes a session: the ICE servers MediaMTX would use (and those it hands to
 * clients), the candidates it would advertise, and the bookkeeping of which session publishes each path.
 */
import {isIPv4, isIPv6} from 'node:net'
import type {RTCIceServer} from 'werift'
import {parseIceUrl} from '../../ice/ice-url.js'
import {atLeast} from '../../mediamtx/version.js'
import {isLoopbackAddress} from '../../net/address-class.js'
import {restCredential} from '../../turn/rest-credentials.js'
import {formatLinkHeaders} from '../../whip/link-header.js'
import {matchPathConf} from './auth.js'
import {mediamtxCandidates, muxPort} from './standin-candidates.js'
import type {StandinCore} from './standin-core.js'
import {StandinSession} from './standin-session.js'
import type {WhipHttpContext} from './whip-http.js'

type SessionRequest = {pathName: string; query: string; remoteAddr: string; offer: string}

/** The configured ICE servers, AUTH_SECRET ones with a freshly minted credential. */
function iceServers(core: StandinCore, forClients: boolean): {url: string; username: string; password: string}[] {
  return core.config.webrtc.iceServers
    .filter((s) => forClients || !s.clientOnly)
    .map((s) => {
      if (s.username !== 'AUTH_SECRET') return {url: s.url, username: s.username, password: s.password}
      const minted = restCredential(s.password, 24 * 3600, 'mediamtx')
      return {url: s.url, username: minted.username, password: minted.credential}
    })
}

/** The server's own ICE servers: on loopback only loopback ones are used; the rest are skipped and logged. */
function serverIceServers(core: StandinCore): RTCIceServer[] {
  const out: RTCIceServer[] = []
  for (const s of iceServers(core, false)) {
    if (core.network === 'interfaces') {
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
      core.log({
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

async function resolvedHosts(core: StandinCore): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>()
  if (!atLeast(core.version, 'v1.14.0')) return map
  for (const name of core.config.webrtc.additionalHosts) {
    if (isIPv4(name) || isIPv6(name)) continue
    map.set(name, await core.resolveHost(name))
  }
  return map
}

/** A session that starts publishing takes its path over from the previous publisher. */
function onPublishing(core: StandinCore, s: StandinSession): void {
  const previous = core.publishers.get(s.pathName)
  if (previous && previous.session !== s) void previous.session.close('closed by another publisher')
  core.publishers.set(s.pathName, {
    session: s,
    confName: matchPathConf(core.config.paths, s.pathName) ?? s.pathName,
    readyTime: new Date().toISOString(),
  })
  core.log({level: 'info', event: 'standin.path.ready', msg: `path ${s.pathName} is ready`, path: s.pathName, id: s.id})
}

async function createSessionNow(core: StandinCore, request: SessionRequest): Promise<StandinSession> {
  const {config, version, network, log} = core
  const resolved = await resolvedHosts(core)
  const session = await StandinSession.create({
    ...request,
    ...(core.options.onRtp && {onRtp: core.options.onRtp}),
    network,
    udpPort: muxPort(config.webrtc.localUDPAddress),
    iceServers: serverIceServers(core),
    handshakeTimeoutMs: config.webrtc.handshakeTimeoutMs,
    trackGatherTimeoutMs: config.webrtc.trackGatherTimeoutMs,
    candidates: (udpPort, serverReflexive) => {
      const result = mediamtxCandidates({
        webrtc: config.webrtc,
        version,
        interfaces: core.interfaces(),
        resolved,
        loopbackUdpPort: udpPort,
        ...(network === 'interfaces' && {sessionUdpPort: udpPort}),
        serverReflexive,
      })
      for (const skipped of result.skipped) log({level: 'warn', event: 'standin.additional-host.skipped', msg: skipped})
      return result
    },
    onPublishing: (s) => onPublishing(core, s),
    onClosed: (s) => {
      core.sessions.delete(s.id)
      if (core.publishers.get(s.pathName)?.session === s) core.publishers.delete(s.pathName)
    },
    log,
  })
  core.sessions.set(session.id, session)
  log({level: 'info', event: 'standin.session.created', msg: `session ${session.id} created`, path: request.pathName})
  return session
}

/** What the WHIP listener (whip-http.ts) needs from the stand-in. */
export function whipContext(core: StandinCore): WhipHttpContext {
  // On real interfaces sessions take the first free port from webrtcLocalUDPAddress's: one at a time.
  let creating: Promise<unknown> = Promise.resolve()
  return {
    version: () => core.version,
    config: () => core.config,
    links: () =>
      formatLinkHeaders(
        iceServers(core, true).map((s) => ({
          urls: s.url,
          ...(s.username && {username: s.username, credential: s.password}),
        })),
      ),
    createSession: (request) => {
      const next = creating.then(() => createSessionNow(core, request))
      creating = next.catch(() => {})
      return next
    },
    sessionBySecret: (secret) => [...core.sessions.values()].find((s) => s.secret === secret),
    deleteSession: (s) => s.close('deleted by the client'),
  }
}
