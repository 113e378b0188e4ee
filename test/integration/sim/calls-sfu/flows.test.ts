/**
 * Flows A–D (docs/calls-api.md, "Connection patterns the emulator serves") through the emulator, with real werift peers on
 * loopback: RTP really travels publisher → emulator → subscriber, with payload types and header-extension
 * ids mapped per session, and keyframe requests going back upstream.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import type {CallsClient} from '../../../../src/calls/calls-client.js'
import {localDescription, waitForConnected} from '../../../../src/media/peer.js'
import {firPacket} from '../../../../src/media/rtcp.js'
import {readSyntheticStamp} from '../../../../src/media/synthetic.js'
import type {CallsEmulator} from '../../../../src/sim/calls-sfu/sfu-server.js'
import {
  answerWith,
  clientFor,
  createPublisher,
  loopbackPeer,
  type Publisher,
  raw,
  recordRtp,
  startEmulator,
  waitFor,
} from '../../../support/calls.js'

let emulator: CallsEmulator
let client: CallsClient
const cleanup: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  emulator = await startEmulator()
  client = clientFor(emulator)
})
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task()
})
afterAll(() => emulator.close())

function track<T extends {stop(): Promise<void>} | RTCPeerConnection>(thing: T): T {
  cleanup.push(async () =>
    'stop' in thing ? (thing as {stop(): Promise<void>}).stop() : (thing as RTCPeerConnection).close(),
  )
  return thing
}

/** Flow A: sessions/new, tracks/new with the publisher's offer, answer applied, connected. */
async function push(publisher: Publisher, names: string[]): Promise<string> {
  const {sessionId} = await client.newSession()
  const offer = await publisher.offer()
  const result = await client.pushTracks(sessionId, {
    offer,
    tracks: publisher.mids.map((mid, i) => ({mid, trackName: names[i] as string})),
  })
  expect(result.tracks.map((t) => t.trackName)).toEqual(names)
  expect(result.answer.sdp).toContain('a=ice-lite')
  await publisher.pc.setRemoteDescription(result.answer)
  await waitForConnected(publisher.pc, 10_000)
  return sessionId
}

/** Flow C: the SFU offers, the subscriber answers through /renegotiate. */
async function pullWithSfuOffer(from: string, names: string[]) {
  const pc = track(loopbackPeer())
  const {sessionId} = await client.newSession()
  const pull = await client.pullTracks(sessionId, {
    tracks: names.map((trackName) => ({sessionId: from, trackName})),
    answer: answerWith(pc),
  })
  const received = recordRtp(pc)
  await waitForConnected(pc, 10_000)
  return {pc, sessionId, pull, received}
}

describe('flow A + C: push with an offer, pull with an SFU offer and /renegotiate', () => {
  it('forwards RTP with the payload type and extension ids of the subscriber session', async () => {
    const publisher = track(createPublisher(['vp8']))
    const publisherSession = await push(publisher, ['cam'])
    const {pc, pull, received} = await pullWithSfuOffer(publisherSession, ['cam'])
    expect(pull.tracks).toEqual([{sessionId: publisherSession, trackName: 'cam', mid: '0'}])
    expect(pull.requiresImmediateRenegotiation).toBe(false) // answered within pullTracks
    await waitFor(() => received.packets.some((p) => readSyntheticStamp(p.payload)), 'stamped RTP at the subscriber')

    const publisherPt = publisher.pc.getTransceivers()[0]?.codecs[0]?.payloadType
    const subscriberCodecs = pc.getTransceivers()[0]?.codecs ?? []
    const packet = received.packets.at(-1)
    expect(packet?.header.payloadType).toBe(subscriberCodecs.find((c) => /vp8/i.test(c.mimeType))?.payloadType)
    expect(packet?.header.payloadType).not.toBe(publisherPt)
    // Only ids the subscriber negotiated, and its mid in the mid extension.
    const negotiated = new Map((pc.getTransceivers()[0]?.headerExtensions ?? []).map((e) => [e.id, e.uri]))
    for (const extension of packet?.header.extensions ?? []) expect(negotiated.has(extension.id)).toBe(true)
    const midId = [...negotiated].find(([, uri]) => uri.endsWith('sdes:mid'))?.[0]
    expect(packet?.header.extensions.find((e) => e.id === midId)?.payload.toString()).toBe('0')
    expect(emulator.stats().media.unmapped).toBe(0)
  })

  it('forwards H.264 as H.264, renumbered', async () => {
    const publisher = track(createPublisher(['h264']))
    const session = await push(publisher, ['h264-cam'])
    const {pc, received} = await pullWithSfuOffer(session, ['h264-cam'])
    await waitFor(() => received.packets.length > 20, 'H.264 packets')
    const h264 = pc.getTransceivers()[0]?.codecs.find((c) => /h264/i.test(c.mimeType))
    expect(received.packets.at(-1)?.header.payloadType).toBe(h264?.payloadType)
    expect(h264?.payloadType).toBe(125)
  })

  it('fans one track out to several subscribers', async () => {
    const publisher = track(createPublisher(['vp8']))
    const session = await push(publisher, ['cam'])
    const subscribers = await Promise.all([1, 2, 3].map(() => pullWithSfuOffer(session, ['cam'])))
    await waitFor(() => subscribers.every((s) => s.received.packets.length > 10), 'RTP at every subscriber')
  })

  it('sends keyframe requests (PLI and FIR) from a subscriber to the publisher', async () => {
    const publisher = track(createPublisher(['vp8']))
    const session = await push(publisher, ['cam'])
    const {pc, received} = await pullWithSfuOffer(session, ['cam'])
    await waitFor(() => received.packets.length > 0, 'RTP')
    const source = publisher.sources[0]
    const receiver = pc.getTransceivers()[0]?.receiver
    const mediaSsrc = received.packets[0]?.header.ssrc as number
    let before = source?.stats.keyframeRequests ?? 0
    await waitFor(() => {
      void receiver?.sendRtcpPLI(mediaSsrc)
      return (source?.stats.keyframeRequests ?? 0) > before
    }, 'a PLI at the publisher')
    before = source?.stats.keyframeRequests ?? 0
    let sequence = 0
    await waitFor(() => {
      void pc.dtlsTransports[0]?.sendRtcp([firPacket(receiver?.rtcpSsrc ?? 1, mediaSsrc, sequence++)])
      return (source?.stats.keyframeRequests ?? 0) > before
    }, 'a FIR at the publisher')
  })
})

describe('flow B: push with autoDiscover', () => {
  it('names every sending section and reports its kind; both tracks can be pulled', async () => {
    const publisher = track(createPublisher(['opus', 'vp8']))
    const {sessionId} = await client.newSession()
    const result = await client.pushTracks(sessionId, {offer: await publisher.offer(), autoDiscover: true})
    expect(result.tracks.map((t) => [t.mid, t.kind])).toEqual([
      [publisher.mids[0], 'audio'],
      [publisher.mids[1], 'video'],
    ])
    for (const t of result.tracks) expect(t.trackName).toMatch(/^[0-9a-f-]{36}$/)
    await publisher.pc.setRemoteDescription(result.answer)
    await waitForConnected(publisher.pc, 10_000)
    const names = result.tracks.map((t) => t.trackName as string)
    const {pc, received} = await pullWithSfuOffer(sessionId, names)
    await waitFor(
      () =>
        received.tracks.length === 2 &&
        received.tracks.every((t) => received.packets.some((p) => p.header.ssrc === t.ssrc)),
      'audio and video',
    )
    // A pull may come in two rounds (one track was not sending yet), so the order of sections may vary.
    expect(
      pc
        .getTransceivers()
        .map((t) => t.kind)
        .sort(),
    ).toEqual(['audio', 'video'])
  })
})

describe('flow D: pull with a client offer', () => {
  it('answers the subscriber offer directly and forwards into its receiving section', async () => {
    const publisher = track(createPublisher(['vp8']))
    const session = await push(publisher, ['cam'])
    const pc = track(loopbackPeer())
    pc.addTransceiver('video', {direction: 'recvonly'})
    await pc.setLocalDescription(await pc.createOffer())
    const {sessionId} = await client.newSession()
    const pull = await client.pullTracks(sessionId, {
      tracks: [{sessionId: session, trackName: 'cam'}],
      offer: localDescription(pc),
    })
    expect(pull.tracks).toEqual([{sessionId: session, trackName: 'cam', mid: '0'}])
    expect(pull.answer?.type).toBe('answer')
    const received = recordRtp(pc)
    await pc.setRemoteDescription(pull.answer as {type: 'answer'; sdp: string})
    await waitForConnected(pc, 10_000)
    await waitFor(() => received.packets.length > 10, 'RTP in client-offer mode')
    const vp8 = pc.getTransceivers()[0]?.codecs.find((c) => /vp8/i.test(c.mimeType))
    expect(received.packets.at(-1)?.header.payloadType).toBe(vp8?.payloadType)
  })
})

describe('session state, update and close', () => {
  it('lists tracks, moves a receiving transceiver to another track, and closes forced and negotiated', async () => {
    const first = track(createPublisher(['vp8']))
    const second = track(createPublisher(['vp8']))
    const one = await push(first, ['one'])
    const two = await push(second, ['two'])
    const {sessionId, received} = await pullWithSfuOffer(one, ['one'])
    await waitFor(() => received.packets.length > 0, 'RTP from the first publisher')

    const state = await client.getSession(sessionId)
    expect(state.tracks).toEqual([{location: 'remote', mid: '0', sessionId: one, trackName: 'one', status: 'active'}])
    expect(state.dataChannels).toEqual([])

    const updated = await client.updateTracks(sessionId, {
      tracks: [{location: 'remote', mid: '0', sessionId: two, trackName: 'two'}],
    })
    expect(updated).toEqual({
      requiresImmediateRenegotiation: false,
      tracks: [{mid: '0', sessionId: two, trackName: 'two'}],
    })
    for (const source of first.sources) source.stop()
    const at = received.packets.length
    await waitFor(() => received.packets.length > at + 20, 'RTP from the second publisher after tracks/update')
    // One continuous stream for the subscriber: no jump in sequence numbers where the source changed.
    const sequence = received.packets.map((p) => p.header.sequenceNumber)
    const gaps = sequence.slice(1).map((n, i) => (n - (sequence[i] as number) + 0x10000) % 0x10000)
    expect(Math.max(...gaps)).toBeLessThan(10)

    expect(await client.closeTracks(sessionId, {mids: ['0']})).toEqual({tracks: [{mid: '0', alreadyClosed: false}]})
    expect(await client.closeTracks(sessionId, {mids: ['0']})).toEqual({tracks: [{mid: '0', alreadyClosed: true}]})
    expect((await client.getSession(sessionId)).tracks?.[0]?.status).toBe('inactive')

    // Negotiated close of the publisher's track: stop the transceiver, offer, apply the answer.
    const transceiver = second.pc.getTransceivers()[0]
    transceiver?.stop()
    await second.pc.setLocalDescription(await second.pc.createOffer())
    const closed = await client.closeTracks(two, {mids: ['0'], force: false, offer: localDescription(second.pc)})
    expect(closed.tracks).toEqual([{mid: '0', alreadyClosed: false}])
    expect(closed.answer?.sdp).toContain('a=ice-lite')
    await second.pc.setRemoteDescription(closed.answer as {type: 'answer'; sdp: string})
    expect((await client.getSession(two)).tracks?.[0]?.status).toBe('inactive')
  })

  it('accepts an offer at session creation (the older flow) and publishes a named mid later', async () => {
    const publisher = track(createPublisher(['vp8']))
    const created = await client.newSession({sessionDescription: await publisher.offer()})
    expect(created.sessionDescription?.type).toBe('answer')
    await publisher.pc.setRemoteDescription(created.sessionDescription as {type: 'answer'; sdp: string})
    await waitForConnected(publisher.pc, 10_000)
    const published = await client.newTracks(created.sessionId, {
      tracks: [{location: 'local', mid: publisher.mids[0] as string, trackName: 'late'}],
    })
    expect(published).toEqual({
      requiresImmediateRenegotiation: false,
      tracks: [{trackName: 'late', mid: publisher.mids[0]}],
    })
    const {received} = await pullWithSfuOffer(created.sessionId, ['late'])
    await waitFor(() => received.packets.length > 5, 'RTP of a track named after the connection')
  })

  it('offers a local track itself (kind given), and pulls into its bidirectional transceiver by #name', async () => {
    const publisher = track(createPublisher(['opus']))
    const source = await push(publisher, ['voice'])
    const pc = track(loopbackPeer())
    const {sessionId} = await client.newSession()
    const offered = await client.newTracks(sessionId, {
      tracks: [{location: 'local', trackName: 'mic-1', kind: 'audio', bidirectionalMediaStream: true}],
    })
    expect(offered.requiresImmediateRenegotiation).toBe(true)
    expect(offered.sessionDescription?.sdp).toContain('a=sendrecv')
    await client.renegotiate(
      sessionId,
      await answerWith(pc)(offered.sessionDescription as {type: 'offer'; sdp: string}),
    )
    await waitForConnected(pc, 10_000)
    const received = recordRtp(pc)
    const pulled = await client.newTracks(sessionId, {
      tracks: [{location: 'remote', mid: '#mic-1', sessionId: source, trackName: 'voice', kind: 'audio'}],
    })
    expect(pulled.tracks?.[0]).toMatchObject({mid: offered.tracks?.[0]?.mid, trackName: 'voice'})
    await waitFor(() => received.packets.length > 5, 'audio through the bidirectional transceiver')
  })

  it('writes no a=ice-lite for a thirdparty session (it is the full-ICE side there)', async () => {
    const {sessionId} = await client.newSession({thirdparty: true, correlationId: 'third-party-test'})
    const offered = await client.newTracks(sessionId, {tracks: [{location: 'local', trackName: 'x', kind: 'video'}]})
    expect(offered.sessionDescription?.sdp).not.toContain('a=ice-lite')
    expect(offered.sessionDescription?.sdp).toContain('a=setup:actpass')
  })
})

describe('DataChannels', () => {
  async function establish(pc: RTCPeerConnection) {
    const {sessionId} = await client.newSession()
    const response = await raw(emulator, 'POST', `/apps/app-1/sessions/${sessionId}/datachannels/establish`, {
      dataChannel: {location: 'remote', dataChannelName: 'server-events'},
    })
    expect(response.status).toBe(200)
    expect(response.json).toMatchObject({
      requiresImmediateRenegotiation: true,
      dataChannel: {dataChannelName: 'server-events', id: 0},
    })
    const offer = response.json['sessionDescription'] as {type: 'offer'; sdp: string}
    expect(offer.sdp).toContain('m=application')
    pc.createDataChannel('server-events', {negotiated: true, id: 0})
    await client.renegotiate(sessionId, await answerWith(pc)(offer))
    await waitForConnected(pc, 10_000)
    return sessionId
  }

  it('fans messages out from a publisher channel to a subscriber, and back with canReply', async () => {
    const a = track(loopbackPeer())
    const b = track(loopbackPeer())
    const publisherSession = await establish(a)
    const subscriberSession = await establish(b)
    const local = await raw(emulator, 'POST', `/apps/app-1/sessions/${publisherSession}/datachannels/new`, {
      dataChannels: [{location: 'local', dataChannelName: 'chat'}],
    })
    const localId = (local.json['dataChannels'] as {id: number}[])[0]?.id as number
    const remote = await raw(emulator, 'POST', `/apps/app-1/sessions/${subscriberSession}/datachannels/new`, {
      dataChannels: [{location: 'remote', sessionId: publisherSession, dataChannelName: 'chat', canReply: true}],
    })
    expect(remote.json).toMatchObject({dataChannels: [{location: 'remote', dataChannelName: 'chat', canReply: true}]})
    const remoteId = (remote.json['dataChannels'] as {id: number}[])[0]?.id as number
    const send = a.createDataChannel('chat', {negotiated: true, id: localId})
    const receive = b.createDataChannel('chat', {negotiated: true, id: remoteId})
    const atB: string[] = []
    const atA: string[] = []
    receive.onMessage.subscribe((m) => atB.push(m.toString()))
    send.onMessage.subscribe((m) => atA.push(m.toString()))
    await waitFor(() => send.readyState === 'open' && receive.readyState === 'open', 'both channels open')
    await waitFor(() => {
      send.send('hello')
      return atB.includes('hello')
    }, 'a message at the subscriber')
    await waitFor(() => {
      receive.send('reply')
      return atA.includes('reply')
    }, 'a reply at the publisher')
    const state = await client.getSession(subscriberSession)
    expect(state.dataChannels).toEqual([
      {location: 'remote', sessionId: publisherSession, dataChannelName: 'chat', id: remoteId, status: 'active'},
    ])
  })
})
