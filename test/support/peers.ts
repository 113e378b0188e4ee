/** werift peer pairs on loopback for tests: offer/answer without trickle, host candidates on 127.0.0.1 only. */
import type {RTCPeerConnection} from 'werift'
import {createPeer, type PeerOptions} from '../../src/media/peer.js'

export function loopbackPeer(options: PeerOptions = {}): RTCPeerConnection {
  return createPeer({hostAddresses: ['127.0.0.1'], ...options})
}

/** Negotiates `offerer` → `answerer` and waits until both are connected. */
export async function connectPeers(
  offerer: RTCPeerConnection,
  answerer: RTCPeerConnection,
  timeoutMs = 10_000,
): Promise<void> {
  await offerer.setLocalDescription(await offerer.createOffer())
  await answerer.setRemoteDescription({type: 'offer', sdp: offerer.localDescription?.sdp ?? ''})
  await answerer.setLocalDescription(await answerer.createAnswer())
  await offerer.setRemoteDescription({type: 'answer', sdp: answerer.localDescription?.sdp ?? ''})
  await Promise.all([offerer, answerer].map((pc) => waitConnected(pc, timeoutMs)))
}

export function waitConnected(pc: RTCPeerConnection, timeoutMs = 10_000): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unSubscribe()
      reject(new Error(`peer not connected within ${timeoutMs} ms (state ${pc.connectionState})`))
    }, timeoutMs)
    const subscription = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer)
        subscription.unSubscribe()
        resolve()
      }
    })
  })
}

/** Polls `condition` every 20 ms until true, or rejects after `timeoutMs` naming `what`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
