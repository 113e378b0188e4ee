/**
 * The emulator against the service's documented timings and limits (docs/calls-api.md "Timings and limits"),
 * and the client flows that depend on them: a pull right after the publisher connected (before its first
 * packet), DataChannels negotiated in the first offer, a simulcast publisher's offer, and the per-session
 * rate limit. Real werift peers on loopback; durations are shortened through the emulator's options.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {type RTCPeerConnection, useSdesMid, useSdesRTPStreamId, useVP8} from 'werift'
import type {CallsClient} from '../../../src/calls/calls-client.js'
import {audioCodecs, localDescription, waitForConnected} from '../../../src/media/peer.js'
import {createSyntheticSource} from '../../../src/media/synthetic.js'
import type {CallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {DEFAULT_LIMITS, DEFAULT_TIMINGS} from '../../../src/sim/calls-sfu/state.js'
import {
  APP,
  answerWith,
  clientFor,
  createPublisher,
  loopbackPeer,
  pushConnected,
  raw,
  recordRtp,
  startEmulator,
  waitFor,
} from '../../support/calls.js'

let emulator: CallsEmulator
let client: CallsClient
const cleanup: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  emulator = await startEmulator({connectWaitMs: 5000})
  // No client-side waiting: whatever waits here is the emulator.
  client = clientFor(emulator, {retry: {attempts: 1, trackWaitMs: 0}})
})
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task().catch(() => {})
})
afterAll(() => emulator.close())

function closing<T extends RTCPeerConnection>(pc: T): T {
  cleanup.push(() => pc.close())
  return pc
}

describe('documented defaults', () => {
  it('are the service limits: 50 calls/s per session, 64 tracks per call, 30 s track GC, 5 s connect wait', () => {
    expect(DEFAULT_LIMITS.requestsPerSecond).toBe(50)
    expect(DEFAULT_LIMITS.maxTracksPerRequest).toBe(64)
    expect(DEFAULT_TIMINGS).toEqual({inactivityMs: 30_000, unconnectedExpiryMs: 30_000, connectWaitMs: 5000})
  })
})

describe('a pull right after the publisher connected', () => {
  it('waits for the first packet instead of answering not_found_track_error, and media arrives', async () => {
    // A publisher that is connected but sends nothing yet, as a browser is for a moment after `connected`.
    const publisher = closing(loopbackPeer({codecs: {audio: audioCodecs(), video: [useVP8()]}}))
    const transceiver = publisher.addTransceiver('video', {direction: 'sendonly'})
    await publisher.setLocalDescription(await publisher.createOffer())
    const {sessionId} = await client.newSession()
    const push = await client.pushTracks(sessionId, {
      offer: localDescription(publisher),
      tracks: [{mid: transceiver.mid ?? '0', trackName: 'late-cam'}],
    })
    await publisher.setRemoteDescription(push.answer)
    await waitForConnected(publisher, 10_000)

    const subscriber = closing(loopbackPeer())
    const {sessionId: subscriberSession} = await client.newSession()
    const pulling = client.pullTracks(subscriberSession, {
      tracks: [{sessionId, trackName: 'late-cam'}],
      answer: answerWith(subscriber),
    })
    // The media starts only once the pull is in flight.
    await waitFor(() => emulator.stats().requests.total > 0, 'the pull to be sent')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const source = createSyntheticSource({codec: 'vp8', bitrateKbps: 200, keyframeIntervalMs: 500})
    cleanup.push(async () => source.stop())
    await transceiver.sender.replaceTrack(source.track)

    const pulled = await pulling
    expect(pulled.attempts).toBe(1)
    expect(pulled.tracks).toEqual([{sessionId, trackName: 'late-cam', mid: '0'}])
    const received = recordRtp(subscriber)
    await waitForConnected(subscriber, 10_000)
    await waitFor(() => received.packets.length > 10, 'RTP on the pulled track')
  })

  it('still answers not_found_track_error at once for a track that does not exist', async () => {
    // The wait would outlast the test's timeout: an answer proves an absent track is not waited for.
    const patient = await startEmulator({publisherWaitMs: 10 * 60_000})
    cleanup.push(() => patient.close())
    const c = clientFor(patient, {retry: {attempts: 1, trackWaitMs: 0}})
    const publisher = createPublisher(['vp8'])
    cleanup.push(() => publisher.stop())
    const sessionId = await pushConnected(c, publisher)
    const {sessionId: subscriberSession} = await c.newSession()
    const response = await raw(patient, 'POST', `/apps/${APP.id}/sessions/${subscriberSession}/tracks/new`, {
      tracks: [
        {location: 'remote', sessionId, trackName: 'no-such-track'},
        {location: 'remote', sessionId: 'f'.repeat(32), trackName: 'cam'},
      ],
    })
    expect(response.status).toBe(200)
    expect((response.json['tracks'] as {errorCode?: string}[]).map((t) => t.errorCode)).toEqual([
      'not_found_track_error',
      'not_found_track_error',
    ])
  })

  it('answers not_found_track_error once the wait is over and the publisher never sent', async () => {
    const brief = await startEmulator({publisherWaitMs: 300})
    cleanup.push(() => brief.close())
    const c = clientFor(brief, {retry: {attempts: 1, trackWaitMs: 0}})
    const publisher = closing(loopbackPeer({codecs: {audio: audioCodecs(), video: [useVP8()]}}))
    publisher.addTransceiver('video', {direction: 'sendonly'})
    await publisher.setLocalDescription(await publisher.createOffer())
    const {sessionId} = await c.newSession()
    const push = await c.pushTracks(sessionId, {
      offer: localDescription(publisher),
      tracks: [{mid: '0', trackName: 'mute'}],
    })
    await publisher.setRemoteDescription(push.answer)
    await waitForConnected(publisher, 10_000)
    const {sessionId: subscriberSession} = await c.newSession()
    await expect(c.pullTracks(subscriberSession, {tracks: [{sessionId, trackName: 'mute'}]})).rejects.toMatchObject({
      errorCode: 'not_found_track_error',
    })
  })
})

/** A werift endpoint whose first offer carries a video track and an m=application section. */
async function connectWithDataChannelsInFirstOffer(name: string) {
  const pc = closing(loopbackPeer({codecs: {audio: audioCodecs(), video: [useVP8()]}}))
  const source = createSyntheticSource({codec: 'vp8', bitrateKbps: 100})
  cleanup.push(async () => source.stop())
  const transceiver = pc.addTransceiver(source.track, {direction: 'sendonly'})
  source.attach(transceiver.sender)
  pc.createDataChannel('bootstrap')
  await pc.setLocalDescription(await pc.createOffer())
  expect(pc.localDescription?.sdp).toMatch(/m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/)
  const {sessionId} = await client.newSession()
  const push = await client.pushTracks(sessionId, {offer: localDescription(pc), tracks: [{mid: '0', trackName: name}]})
  expect(push.answer.sdp).toMatch(/m=application/)
  await pc.setRemoteDescription(push.answer)
  await waitForConnected(pc, 10_000)
  return {pc, sessionId}
}

function opened(pc: RTCPeerConnection, name: string, id: number) {
  const channel = pc.createDataChannel(name, {negotiated: true, id})
  const messages: string[] = []
  channel.onMessage.subscribe((data) => {
    messages.push(data.toString())
  })
  return {channel, messages}
}

describe('DataChannels negotiated in the first offer', () => {
  it('datachannels/new works without datachannels/establish, and messages flow both ways', async () => {
    const publisher = await connectWithDataChannelsInFirstOffer('pub-cam')
    const subscriber = await connectWithDataChannelsInFirstOffer('sub-cam')
    const [local] = await client.newDataChannels(publisher.sessionId, [{location: 'local', dataChannelName: 'chat'}])
    const [remote] = await client.newDataChannels(subscriber.sessionId, [
      {location: 'remote', sessionId: publisher.sessionId, dataChannelName: 'chat', canReply: true},
    ])
    const publisherId = local?.id as number
    const subscriberId = remote
    const pub = opened(publisher.pc, 'chat', publisherId)
    const sub = opened(subscriber.pc, 'chat', subscriberId?.id as number)
    await waitFor(
      () => pub.channel.readyState === 'open' && sub.channel.readyState === 'open',
      'both negotiated channels to open',
    )
    const sendUntil = async (from: typeof pub, to: typeof sub, text: string) => {
      await waitFor(() => {
        if (!to.messages.includes(text)) from.channel.send(text)
        return to.messages.includes(text)
      }, `"${text}" to arrive`)
    }
    await sendUntil(pub, sub, 'hello subscriber')
    await sendUntil(sub, pub, 'hello publisher')
    const closed = await client.closeDataChannels(subscriber.sessionId, [subscriberId?.id as number, 99])
    expect(closed.map((c) => c.errorCode)).toEqual([undefined, 'close_track_error'])
  })
})

describe('a simulcast publisher', () => {
  it('gets an answer with a=simulcast:recv and the rid header extension, and connects', async () => {
    const pc = closing(
      loopbackPeer({
        codecs: {audio: audioCodecs(), video: [useVP8()]},
        headerExtensions: {audio: [useSdesMid()], video: [useSdesMid(), useSdesRTPStreamId()]},
      }),
    )
    pc.addTransceiver('video', {
      direction: 'sendonly',
      simulcast: ['f', 'h', 'q'].map((rid) => ({rid, direction: 'send' as const})),
    })
    await pc.setLocalDescription(await pc.createOffer())
    const offer = localDescription(pc)
    expect(offer.sdp).toMatch(/a=simulcast:send f;h;q/)
    const {sessionId} = await client.newSession()
    const push = await client.pushTracks(sessionId, {offer, tracks: [{mid: '0', trackName: 'layers'}]})
    expect(push.answer.sdp).toMatch(/a=simulcast:recv f;h;q/)
    expect(push.answer.sdp).toMatch(/a=extmap:\d+ urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/)
    for (const rid of ['f', 'h', 'q']) expect(push.answer.sdp).toContain(`a=rid:${rid} recv`)
    await pc.setRemoteDescription(push.answer)
    await waitForConnected(pc, 10_000)
  })
})

describe('the per-session rate limit', () => {
  it('answers 429 with Retry-After after 50 calls within a second on one session; other sessions are not limited', async () => {
    const now = Date.now()
    const frozen = await startEmulator({now: () => now})
    cleanup.push(() => frozen.close())
    const c = clientFor(frozen, {retry: {attempts: 1}})
    const {sessionId} = await c.newSession()
    const {sessionId: other} = await c.newSession()
    const path = `/apps/${APP.id}/sessions/${sessionId}`
    const answers = await Promise.all(Array.from({length: 51}, () => raw(frozen, 'GET', path)))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(50)
    const limited = answers.find((a) => a.status === 429)
    expect(limited?.headers.get('retry-after')).toBe('1')
    expect(String(limited?.json['errorDescription'])).toMatch(/50 API calls per second per session/)
    expect((await raw(frozen, 'GET', `/apps/${APP.id}/sessions/${other}`)).status).toBe(200)
    await expect(c.getSession(sessionId)).rejects.toMatchObject({status: 429, failure: 'rate_limited'})
  })
})
