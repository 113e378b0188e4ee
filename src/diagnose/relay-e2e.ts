/** A synthetic guest through the relay's ingress into MediaMTX: the end-to-end check of the Calls option. */
import {createPeer, localDescription, waitForConnected} from '../media/peer.js'
import {createSyntheticSource} from '../media/synthetic.js'
import {MediamtxApi} from '../mediamtx/api-client.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {httpRequest} from '../net/http.js'
import {adminEndpoint} from '../relay/admin-client.js'
import {MEDIA_ROUTE} from '../relay/mode.js'
import {relayModeOf} from '../relay/mode-client.js'
import type {CheckFailure, CheckOutcome} from '../report/check.js'
import {whipDelete, whipPost} from '../whip/whip-client.js'
import type {DiagnoseOptions} from './diagnose-types.js'

/**
 * A synthetic guest publishes through the relay's ingress (as a browser would), and the media must show up in
 * MediaMTX: the path becomes ready with growing inbound bytes (API), or the relay reports the session live.
 */
export async function relayEndToEnd(
  relay: {guestUrl: string; adminUrl: string},
  token: string,
  path: string,
  mediamtx: DiagnoseOptions['mediamtx'],
  callsApiBase: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<CheckOutcome | CheckFailure> {
  const relayUrl = relay.guestUrl
  // The guest's media goes to Calls, not to the relay: a relay on this box's loopback with Calls elsewhere
  // (the usual box) needs a peer on the real interfaces. An ICE-lite SFU answers from wherever the checks come
  // from, so no STUN server is needed for that.
  const relayLocal = isLoopbackAddress(new URL(relayUrl).hostname)
  const callsLocal = callsApiBase === undefined || isLoopbackAddress(new URL(callsApiBase).hostname)
  const pc = createPeer(
    relayLocal && callsLocal
      ? {hostAddresses: ['127.0.0.1']}
      : relayLocal
        ? {}
        : {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]},
  )
  const video = createSyntheticSource({codec: 'vp8'})
  const audio = createSyntheticSource({codec: 'opus'})
  video.attach(pc.addTransceiver(video.track, {direction: 'sendonly'}).sender)
  audio.attach(pc.addTransceiver(audio.track, {direction: 'sendonly'}).sender)
  let session: Awaited<ReturnType<typeof whipPost>> | undefined
  try {
    await pc.setLocalDescription(await pc.createOffer())
    session = await whipPost(`${relayUrl.replace(/\/+$/, '')}/whip/${path}`, localDescription(pc).sdp, {
      token,
      timeoutMs,
      signal,
    })
    await pc.setRemoteDescription({type: 'answer', sdp: session.answer})
    await waitForConnected(pc, timeoutMs, 'guest → Calls connection', signal)
    return await waitForMedia(relay.adminUrl, path, mediamtx, timeoutMs, signal)
  } finally {
    video.stop()
    audio.stop()
    if (session) await whipDelete(session, {timeoutMs: 2000}).catch(() => {})
    await pc.close()
  }
}

/** The media shows up in MediaMTX (path ready, bytes growing), or, without its API, the relay says the session is live. */
async function waitForMedia(
  adminUrl: string,
  path: string,
  mediamtx: DiagnoseOptions['mediamtx'],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<CheckOutcome | CheckFailure> {
  const api = mediamtx.apiUrl
    ? new MediamtxApi({
        baseUrl: mediamtx.apiUrl,
        user: mediamtx.apiUser,
        password: mediamtx.apiPassword,
        timeoutMs,
        signal,
      })
    : undefined
  const until = Date.now() + timeoutMs
  let firstBytes: number | undefined
  while (Date.now() < until) {
    if (api) {
      const state = await api.path(path).catch(() => null)
      if (state?.ready) {
        firstBytes ??= state.inboundBytes
        if (state.inboundBytes > firstBytes) {
          // Which relay mode carried the media (and so which way it went).
          const mode = await relayModeOf(adminUrl, {timeoutMs, signal})
          return {
            status: 'pass',
            evidence: `MediaMTX path ${path} is ready with ${state.tracks.join('+')} and growing bytes${mode ? `; relay in ${mode} mode: ${MEDIA_ROUTE[mode]}` : ''}`,
          }
        }
      }
    } else {
      // The session list is an operator endpoint, on the relay's operator listener.
      const admin = adminEndpoint(adminUrl)
      const status = await httpRequest(`${admin.base}/status`, {
        timeoutMs,
        signal,
        ...(admin.dispatcher && {dispatcher: admin.dispatcher}),
      }).finally(() => admin.close())
      const sessions = (JSON.parse(status.body) as {sessions?: {path: string; state: string}[]}).sessions ?? []
      if (sessions.some((s) => s.path === path && s.state === 'live')) {
        return {
          status: 'warn',
          evidence: `the relay publishes ${path} into MediaMTX (not confirmed: no MediaMTX API configured)`,
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    status: 'fail',
    evidence: `the guest reached Calls, but ${path} did not become ready in MediaMTX within ${timeoutMs} ms`,
    fix: 'r58 relay status  # then check the relay log and its --relay-target',
  }
}
