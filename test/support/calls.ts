/** Helpers for Calls tests: the emulator on loopback, werift peers with synthetic media, and waiting. */
import type {MediaStreamTrack, RTCPeerConnection, RtpPacket} from 'werift'
import {useH264, useVP8} from 'werift'
import {CallsClient, type CallsClientOptions} from '../../src/calls/calls-client.js'
import {audioCodecs, createPeer, localDescription, type PeerOptions, waitForConnected} from '../../src/media/peer.js'
import {createSyntheticSource, type SyntheticCodec, type SyntheticSource} from '../../src/media/synthetic.js'
import {type CallsEmulator, type CallsEmulatorOptions, startCallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'

export const APP = {id: 'app-1', secret: 'secret-for-app-1-0123456789abcdef'}

export function startEmulator(options: Partial<CallsEmulatorOptions> = {}): Promise<CallsEmulator> {
  return startCallsEmulator({apps: new Map([[APP.id, APP.secret]]), ...options})
}

export function clientFor(emulator: CallsEmulator, options: Partial<CallsClientOptions> = {}): CallsClient {
  return new CallsClient({appId: APP.id, appSecret: APP.secret, apiBase: emulator.apiBase, ...options})
}

export function loopbackPeer(options: PeerOptions = {}): RTCPeerConnection {
  return createPeer({hostAddresses: ['127.0.0.1'], ...options})
}

/** Polls `predicate` every 20 ms until it is true; fails after `timeoutMs` naming `what`. Not a timing assertion. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export interface Publisher {
  pc: RTCPeerConnection
  sources: SyntheticSource[]
  /** mid per source, in order. */
  mids: string[]
  offer(): Promise<{type: 'offer'; sdp: string}>
  stop(): Promise<void>
}

/**
 * A werift peer sending one synthetic track per codec (sendonly transceivers), offer not yet created. Its
 * video codec list holds only the codec it sends: werift stamps every packet with the first negotiated one.
 */
export function createPublisher(codecs: SyntheticCodec[], peer: PeerOptions = {}): Publisher {
  const video = codecs.includes('h264') ? [useH264()] : [useVP8()]
  const pc = loopbackPeer({codecs: {audio: audioCodecs(), video}, ...peer})
  const sources = codecs.map((codec) => createSyntheticSource({codec, bitrateKbps: 300, keyframeIntervalMs: 0}))
  const transceivers = sources.map((source) => {
    const transceiver = pc.addTransceiver(source.track, {direction: 'sendonly'})
    source.attach(transceiver.sender)
    return transceiver
  })
  const publisher: Publisher = {
    pc,
    sources,
    mids: [],
    async offer() {
      await pc.setLocalDescription(await pc.createOffer())
      publisher.mids = transceivers.map((t) => t.mid ?? '')
      return localDescription(pc) as {type: 'offer'; sdp: string}
    },
    async stop() {
      for (const source of sources) source.stop()
      await pc.close()
    },
  }
  return publisher
}

export interface Received {
  packets: RtpPacket[]
  tracks: MediaStreamTrack[]
}

/** Records every RTP packet `pc` receives, on any track, from now on. */
export function recordRtp(pc: RTCPeerConnection): Received {
  const received: Received = {packets: [], tracks: []}
  const watch = (track: MediaStreamTrack) => {
    if (received.tracks.includes(track)) return
    received.tracks.push(track)
    track.onReceiveRtp.subscribe((packet) => {
      received.packets.push(packet)
    })
  }
  for (const transceiver of pc.getTransceivers()) for (const track of transceiver.receiver.tracks) watch(track)
  pc.onTrack.subscribe(watch)
  return received
}

/** SFU-offer answerer for `pullTracks`. */
export function answerWith(pc: RTCPeerConnection) {
  return async (offer: {type: 'offer' | 'answer'; sdp: string}) => {
    await pc.setRemoteDescription(offer)
    await pc.setLocalDescription(await pc.createAnswer())
    return localDescription(pc)
  }
}

/** Raw JSON request to the emulator (for bodies the typed client would never send). */
export async function raw(
  emulator: CallsEmulator,
  method: string,
  path: string,
  body?: unknown,
  secret = APP.secret,
): Promise<{status: number; json: Record<string, unknown>; headers: Headers}> {
  const response = await fetch(`${emulator.apiBase}${path}`, {
    method,
    headers: {authorization: `Bearer ${secret}`, 'content-type': 'application/json'},
    ...(body !== undefined && {body: typeof body === 'string' ? body : JSON.stringify(body)}),
  })
  const text = await response.text()
  return {status: response.status, json: text ? JSON.parse(text) : {}, headers: response.headers}
}

/** Pushes the publisher's first track to a new Calls session as `trackName` and waits for it to connect. */
export async function pushConnected(client: CallsClient, publisher: Publisher, trackName = 'cam'): Promise<string> {
  const {sessionId} = await client.newSession()
  const push = await client.pushTracks(sessionId, {
    offer: await publisher.offer(),
    tracks: [{mid: '0', trackName}],
  })
  await publisher.pc.setRemoteDescription(push.answer)
  await waitForConnected(publisher.pc, 10_000)
  return sessionId
}
