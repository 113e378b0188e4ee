/**
 * A → B ==forward==> C → D with real werift peers on loopback: media flows end to end and keyframe requests
 * from D reach A's source, rate-limited.
 */
import {afterEach, expect, it} from 'vitest'
import type {MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver, RtpPacket} from 'werift'
import {createSyntheticSource, readSyntheticStamp, type SyntheticSource} from '../../../src/media/synthetic.js'
import {TrackForwarder} from '../../../src/relay/track-forward.js'
import {connectPeers, eventually, loopbackPeer} from '../../support/peers.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

it('forwards RTP through a relay hop and carries PLI back, rate-limited', async () => {
  let clock = 0
  const a = loopbackPeer()
  const b = loopbackPeer()
  const c = loopbackPeer()
  const d = loopbackPeer()
  cleanups.push(() => Promise.all([a, b, c, d].map((pc: RTCPeerConnection) => pc.close())))
  const source: SyntheticSource = createSyntheticSource({codec: 'vp8', keyframeIntervalMs: 0})
  cleanups.push(() => source.stop())
  const sender = a.addTransceiver(source.track, {direction: 'sendonly'}).sender
  source.attach(sender)

  const incoming = new Promise<{track: MediaStreamTrack; receiver: RTCRtpReceiver}>((resolve) => {
    b.onTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((track) => resolve({track, receiver: transceiver.receiver}))
    })
  })
  await connectPeers(a, b)
  const {track, receiver} = await incoming
  const forwarder = new TrackForwarder({kind: 'video', source: track, receiver, now: () => clock})
  cleanups.push(() => forwarder.stop())
  await forwarder.firstPacket()

  const out = c.addTransceiver(forwarder.output, {direction: 'sendonly'})
  forwarder.attachSender(out.sender)
  const arrived: RtpPacket[] = []
  let dReceiver: RTCRtpReceiver | undefined
  d.onTransceiverAdded.subscribe((transceiver) => {
    dReceiver = transceiver.receiver
    transceiver.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((p) => arrived.push(p)))
  })
  await connectPeers(c, d)
  await eventually(() => arrived.length > 20, 'forwarded RTP at D')
  const frames = arrived.map((p) => readSyntheticStamp(p.payload)?.frame).filter((f) => f !== undefined)
  expect(frames.length).toBeGreaterThan(0)

  // Three PLIs in quick succession from D: only the first reaches A's source.
  const before = source.stats.keyframeRequests
  const ssrc = dReceiver?.tracks[0]?.ssrc ?? 0
  for (let i = 0; i < 3; i++) await dReceiver?.sendRtcpPLI(ssrc)
  await eventually(
    () => forwarder.keyframeRequestsForwarded + forwarder.keyframeRequestsDropped >= 3,
    'PLIs at the relay',
  )
  await eventually(() => source.stats.keyframeRequests === before + 1, 'the keyframe request at the source')
  expect(forwarder.keyframeRequestsForwarded).toBe(1)
  expect(forwarder.keyframeRequestsDropped).toBe(2)
  // Once the interval has passed, the next one goes through again.
  clock += 5000
  await dReceiver?.sendRtcpPLI(ssrc)
  await eventually(() => source.stats.keyframeRequests === before + 2, 'a later keyframe request at the source')
  expect(forwarder.received.packets).toBeGreaterThan(0)
  expect(forwarder.received.lost).toBe(0)
})
