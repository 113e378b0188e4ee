/**
 * Calls echo, offline: starts the Calls emulator, pushes a synthetic VP8 track from one werift peer,
 * pulls it into a second session with another, and prints what arrives. Swap the emulator for Cloudflare
 * by setting CALLS_APP_ID / CALLS_APP_SECRET (and CALLS_API_BASE to override the default API base).
 *
 *   node --import tsx examples/calls-echo.ts
 */
import {
  CallsClient,
  createPeer,
  createSyntheticSource,
  localDescription,
  readSyntheticStamp,
  waitForConnected,
} from '../src/index.js'
import {startCallsEmulator} from '../src/sim/index.js'

const real = process.env['CALLS_APP_ID'] !== undefined && process.env['CALLS_APP_SECRET'] !== undefined
const emulator = real ? undefined : await startCallsEmulator({apps: new Map([['echo-app', 'echo-secret']])})
const client = new CallsClient({
  appId: process.env['CALLS_APP_ID'] ?? 'echo-app',
  appSecret: process.env['CALLS_APP_SECRET'] ?? 'echo-secret',
  ...(emulator
    ? {apiBase: emulator.apiBase}
    : process.env['CALLS_API_BASE']
      ? {apiBase: process.env['CALLS_API_BASE']}
      : {}),
})
// Loopback-only peers for the emulator; Cloudflare's STUN server for the real thing.
const peerOptions = emulator ? {hostAddresses: ['127.0.0.1']} : {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]}
console.log(`Calls API: ${client.apiBase}${emulator ? ' (local emulator)' : ''}`)

// Push: the publisher offers, Calls answers (flow A).
const publisher = createPeer(peerOptions)
const source = createSyntheticSource({codec: 'vp8', bitrateKbps: 500})
const transceiver = publisher.addTransceiver(source.track, {direction: 'sendonly'})
source.attach(transceiver.sender)
await publisher.setLocalDescription(await publisher.createOffer())
const pushSession = await client.newSession()
const push = await client.pushTracks(pushSession.sessionId, {
  offer: localDescription(publisher),
  tracks: [{mid: transceiver.mid ?? '0', trackName: 'camera'}],
})
await publisher.setRemoteDescription(push.answer)
await waitForConnected(publisher, 10_000, 'publisher')
console.log(`pushed "camera" in session ${pushSession.sessionId}`)

// Pull: Calls offers, the subscriber answers through /renegotiate (flow C).
const subscriber = createPeer(peerOptions)
// Listen before answering: werift announces the track while it applies the SFU's offer.
let packets = 0
const latencies: number[] = []
subscriber.onTrack.subscribe((track) =>
  track.onReceiveRtp.subscribe((packet) => {
    packets += 1
    const stamp = readSyntheticStamp(packet.payload)
    if (stamp) latencies.push(performance.timeOrigin + performance.now() - stamp.sentAt)
  }),
)
const pullSession = await client.newSession()
const pull = await client.pullTracks(pullSession.sessionId, {
  tracks: [{sessionId: pushSession.sessionId, trackName: 'camera'}],
  answer: async (offer) => {
    await subscriber.setRemoteDescription(offer)
    await subscriber.setLocalDescription(await subscriber.createAnswer())
    return localDescription(subscriber)
  },
})
console.log(`pulled it into session ${pullSession.sessionId} on mid ${pull.tracks[0]?.mid}`)

await waitForConnected(subscriber, 10_000, 'subscriber')
await new Promise((resolve) => setTimeout(resolve, 2000))
latencies.sort((a, b) => a - b)
console.log(`received ${packets} RTP packets in 2 s; median latency ${latencies[latencies.length >> 1]?.toFixed(1)} ms`)

await client.closeTracks(pullSession.sessionId, {mids: [pull.tracks[0]?.mid ?? '0']})
await client.closeTracks(pushSession.sessionId, {mids: [transceiver.mid ?? '0']})
source.stop()
await Promise.all([publisher.close(), subscriber.close()])
await emulator?.close()
