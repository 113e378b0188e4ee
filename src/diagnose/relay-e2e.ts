/** A synthetic guest through the relay's ingress into MediaMTX: the end-to-end check of the Calls option. */
import {createPeer, localDescription, waitForConnected} from '../media/peer.js'
import {createSyntheticSource} from '../media/synthetic.js'
import {MediamtxApi} from '../mediamtx/api-client.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {httpRequest} from '../net/http.js'
import type {CheckFailure, CheckOutcome} from '../report/check.js'
import {whipDelete, whipPost} from '../whip/client.js'
import type {DiagnoseOptions} from './types.js'

/**
 * A synthetic guest publishes through the relay's ingress (as a browser would), and the media must show up in
 * MediaMTX: the path becomes ready with growing inbound bytes (API), or the relay reports the session live.
 */
export async function relayEndToEnd(
  relayUrl: string,
  token: string,
  path: string,
  mediamtx: DiagnoseOptions['mediamtx'],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<CheckOutcome | CheckFailure> {
  const loopback = isLoopbackAddress(new URL(relayUrl).hostname)
  const pc = createPeer(
    loopback ? {hostAddresses: ['127.0.0.1']} : {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]},
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
    return await waitForMedia(relayUrl, token, path, mediamtx, timeoutMs, signal)
  } finally {
    video.stop()
    audio.stop()
    if (session) await whipDelete(session, {timeoutMs: 2000}).catch(() => {})
    await pc.close()
  }
}

/** The media shows up in MediaMTX (path ready, bytes growing), or, without its API, the relay says the session is live. */
async function waitForMedia(
  relayUrl: string,
  token: string,
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
          return {
            status: 'pass',
            evidence: `MediaMTX path ${path} is ready with ${state.tracks.join('+')} and growing bytes`,
          }
        }
      }
    } else {
      const status = await httpRequest(`${relayUrl.replace(/\/+$/, '')}/status`, {
        headers: {authorization: `Bearer ${token}`},
        timeoutMs,
        signal,
      })
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
    fix: 'r58 relay status  # then check the relay log and its --target',
  }
}
