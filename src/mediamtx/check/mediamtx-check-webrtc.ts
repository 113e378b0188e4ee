/**
 * The WebRTC stages of `mediamtx check`: WebRTC is on, the candidates MediaMTX will advertise and whether a
 * remote guest can reach any, and the STUN/TURN servers (who uses them, expired TURN credentials).
 */
import {networkInterfaces} from 'node:os'
import {runCheck} from '../../report/check.js'
import type {MediamtxIceServerConf} from '../config-read.js'
import {type Candidate, describeCandidate, effectiveWebrtc, predictCandidates} from '../predicted-candidates.js'
import {atLeast} from '../version.js'
import type {CheckRun, ExaminedConfig} from './mediamtx-check-run.js'

/** mediamtx.webrtc.enabled */
export async function checkWebrtcEnabled(run: CheckRun, config: ExaminedConfig): Promise<void> {
  run.checks.push(
    await runCheck('mediamtx.webrtc.enabled', 'WebRTC is on', async () => {
      const webrtc = config.view.webrtc
      if (webrtc.enabled) return {status: 'pass', evidence: `WebRTC/WHIP on ${webrtc.address}`}
      const fix = `Set ${config.doc.has('webrtcDisable') ? 'webrtcDisable: no' : 'webrtc: yes'} in ${config.name}.`
      run.add('mediamtx.webrtc.enabled', 'error', 'WebRTC is off: WHIP publishing is refused', fix)
      return {status: 'fail', evidence: 'WebRTC is off', fix}
    }),
  )
}

/** The candidates MediaMTX will advertise, predicted from the config and this host's interfaces. */
export function candidatesOf(run: CheckRun, config: ExaminedConfig): Candidate[] {
  const interfaces = (run.options.interfaces ?? networkInterfaces)()
  const version = config.version.version
  return predictCandidates(effectiveWebrtc(config.view.webrtc, config.doc, version), version, interfaces)
}

/** mediamtx.webrtc.candidates: none is a failure; only LAN and loopback ones, a warning. */
export async function checkCandidates(run: CheckRun, config: ExaminedConfig, candidates: Candidate[]): Promise<void> {
  const {configureCmd} = config
  const id = 'mediamtx.webrtc.candidates'
  run.checks.push(
    await runCheck(id, 'Candidates a remote guest can reach', async () => {
      const apply = run.doc ? '--write' : '--apply'
      const remote = candidates.filter((c) => c.scope === 'internet' || c.scope === 'tailnet' || c.scope === 'unknown')
      const summary = candidates.map(describeCandidate).join(', ') || 'none'
      for (const c of candidates.filter(
        (c) => c.category === 'hostname' && !atLeast(config.version.version, 'v1.14.0'),
      )) {
        run.add(
          id,
          'warn',
          `${c.address} is a host name: before v1.14.0 it goes into the SDP as is, and Firefox and Safari cannot use it`,
          `${configureCmd} --add-host <its IP> ${apply}`,
        )
      }
      if (!run.doc) run.add(id, 'info', "Interface addresses are this host's; they match only if MediaMTX runs here.")
      if (candidates.length === 0) {
        const fix = `${configureCmd} --udp-address :8189 --tailscale ${apply}`
        run.add(id, 'error', 'MediaMTX will advertise no candidate at all: no guest can connect', fix)
        return {status: 'fail', evidence: 'no candidates', fix}
      }
      if (remote.length === 0) {
        const fix = `${configureCmd} --tailscale ${apply}   (or --add-host <public IP>, or --cloudflare-turn)`
        run.add(
          id,
          'warn',
          'Only LAN and loopback addresses are advertised: a remote guest gets its WHIP 201, but media never flows',
          fix,
        )
        return {status: 'warn', evidence: summary, fix, data: {count: candidates.length}}
      }
      run.add(id, 'info', `Remote guests can try: ${remote.map(describeCandidate).join(', ')}`)
      return {status: 'pass', evidence: summary, data: {count: candidates.length}}
    }),
  )
}

/** mediamtx.webrtc.ice-servers: who uses each server; TURN credentials that expired are a warning. */
export async function checkIceServers(run: CheckRun, config: ExaminedConfig): Promise<void> {
  run.checks.push(
    await runCheck('mediamtx.webrtc.ice-servers', 'STUN/TURN servers', async () => {
      const servers = config.view.webrtc.iceServers
      if (servers.length === 0) {
        return {
          status: 'skip',
          evidence: 'none configured (TURN is the fallback when UDP/TCP candidates are unreachable)',
        }
      }
      const canClientOnly = atLeast(config.version.version, 'v1.7.0')
      let status: 'pass' | 'warn' = 'pass'
      for (const server of servers) {
        if (!noteIceServer(run, server, canClientOnly)) status = 'warn'
      }
      const used = servers.filter((s) => !(s.clientOnly && canClientOnly)).length
      return {
        status,
        evidence: `${servers.length} server${servers.length === 1 ? '' : 's'} (${servers.length - used} clientOnly): ${servers.map((s) => s.url).join(', ')}`,
      }
    }),
  )
}

/** Adds the findings about one ICE server; false when its TURN credentials have expired. */
function noteIceServer(run: CheckRun, server: MediamtxIceServerConf, canClientOnly: boolean): boolean {
  const id = 'mediamtx.webrtc.ice-servers'
  const turn = /^turns?:/.test(server.url)
  const who =
    server.clientOnly && canClientOnly ? 'given to clients only (clientOnly)' : 'used by MediaMTX and its clients'
  run.add(id, 'info', `${turn ? 'TURN' : 'STUN'} ${server.url}: ${who}`)
  let fresh = true
  const expiry = /^(\d{9,11}):/.exec(server.username)
  if (turn && expiry) {
    const at = Number(expiry[1]) * 1000
    if (at <= run.now()) {
      fresh = false
      run.add(
        id,
        'warn',
        `The credentials of ${server.url} expired at ${new Date(at).toISOString()}`,
        run.doc
          ? `r58 mediamtx turn-refresh --cloudflare-turn ${run.fileArg}`
          : `r58 mediamtx turn-refresh --cloudflare-turn --mediamtx-api-url ${run.apiUrl}`,
      )
    }
  }
  if (turn && server.username === 'AUTH_SECRET') {
    run.add(id, 'info', `${server.url}: MediaMTX mints REST credentials from the shared secret`)
  }
  return fresh
}
