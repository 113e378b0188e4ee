/**
 * Interop of the Calls emulator with a browser that follows Cloudflare's published connection patterns
 * (docs/calls-api.md): headless Chromium (Debian's `chromium`, driven by playwright-core) runs
 * test/support/calls-page.html, and the test plays the backend with the typed CallsClient. Each flow must
 * carry media or messages, not only HTTP answers: inbound bytes grow on the pulled tracks, messages arrive.
 * Chromium and the emulator run in a private network namespace with loopback only (test/support/chromium.ts);
 * the browser is launched once for the whole file. Without Chromium this fails with how to install it.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {PushResult} from '../../../../src/calls/calls-client.js'
import type {
  DataChannelResult,
  NewSessionResponse,
  SessionDescription,
  TrackResult,
} from '../../../../src/calls/calls-types.js'
import type {SessionSnapshot} from '../../../../src/sim/calls-sfu/sfu-server.js'
import {chromiumMissing} from '../../../support/chromium.js'
import {type NamespaceHarness, startNamespaceHarness} from '../../../support/namespace-harness.js'

let harness: NamespaceHarness | undefined

interface Offer {
  description: SessionDescription
  transceivers: {mid: string; kind: 'audio' | 'video'}[]
}
interface Inbound {
  kind: string
  bytes: number
  packets: number
  frameWidth: number | null
  framesDecoded: number | null
}
interface Pulled {
  tracks: TrackResult[]
  offer?: SessionDescription
  answer?: SessionDescription
  requiresImmediateRenegotiation: boolean
  attempts: number
}

const h = () => harness as NamespaceHarness
const page = <T>(fn: string, ...args: unknown[]) => h().call<T>('page', {fn, args})
const calls = <T>(method: string, ...args: unknown[]) => h().call<T>('calls', {method, args})
const inspect = () => h().call<SessionSnapshot[]>('inspect')

/** Polls `probe` until `ok` holds; fails after `timeoutMs` with the last value and the harness log. */
async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (ok(value)) return value
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n${JSON.stringify(value)}\n${await h().call('log')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Resolves at the page's `connectionstatechange` to connected, without polling delay. */
const connected = (name: string) => page<boolean>('connected', name)

/** Waits until the inbound bytes of every mid grew twice (media keeps flowing, not one burst). */
async function mediaFlows(name: string, mids: string[]): Promise<Record<string, Inbound>> {
  const bytes = (stats: Record<string, Inbound>, mid: string) => stats[mid]?.bytes ?? 0
  const first = await until(
    `media on ${name} (mids ${mids.join(', ')})`,
    () => page<Record<string, Inbound>>('inbound', name),
    (stats) => mids.every((mid) => bytes(stats, mid) > 0),
  )
  return until(
    `inbound bytes on ${name} to grow`,
    () => page<Record<string, Inbound>>('inbound', name),
    (stats) => mids.every((mid) => bytes(stats, mid) > bytes(first, mid)),
  )
}

/**
 * Which of the publisher's encodings the subscriber's frames have: the RID whose current width (the
 * publisher's outbound stats) equals the received frame width, when that width is one encoding's alone.
 * The page keeps the encodings' resolution (degradationPreference), so the widths stay 640/320/160 on a
 * busy machine; they are still read live rather than assumed.
 */
async function receivedLayer(subscriber: string, mid: string, publisher: string): Promise<string | null> {
  const width = (await page<Record<string, Inbound>>('inbound', subscriber))[mid]?.frameWidth
  const encodings = await page<Record<string, {frameWidth: number | null}>>('outbound', publisher)
  const matching = Object.entries(encodings).filter(([, e]) => e.frameWidth !== null && e.frameWidth === width)
  return matching.length === 1 ? (matching[0]?.[0] ?? null) : null
}

/** Connection pattern "Publish audio or video": offer → tracks/new → answer applied → connected. */
async function publish(
  name: string,
  media: {audio?: boolean; video?: boolean; simulcast?: boolean; warmUpMs?: number},
) {
  await page('newPeer', name)
  await page('addMedia', name, media)
  const offer = await page<Offer>('offer', name)
  const {sessionId} = await calls<NewSessionResponse>('newSession')
  const push = await calls<PushResult>('pushTracks', sessionId, {
    offer: offer.description,
    tracks: offer.transceivers.map((t) => ({mid: t.mid, trackName: `${name}-${t.kind}`})),
  })
  await page('applyAnswer', name, push.answer)
  await connected(name)
  return {sessionId, offer, push}
}

/**
 * Connection pattern "Receive a published track": tracks/new (remote) → SFU offer answered → /renegotiate.
 * `session` may be created ahead, so that the pull is the very next request after the publisher connected.
 */
async function subscribe(name: string, tracks: object[], session?: string) {
  await page('newPeer', name)
  const sessionId = session ?? (await calls<NewSessionResponse>('newSession')).sessionId
  // No client-side retries for a publisher that is not ready: the SFU itself must wait for it.
  const pulled = await calls<Pulled>('pullTracks', sessionId, {tracks, waitForPublisherMs: 0})
  expect(pulled.requiresImmediateRenegotiation).toBe(true)
  const answer = await page<SessionDescription>('answer', name, pulled.offer)
  await calls('renegotiate', sessionId, answer)
  await connected(name)
  return {sessionId, pulled}
}

beforeAll(async () => {
  if (chromiumMissing().length === 0) harness = await startNamespaceHarness('test/support/calls-chromium-harness.ts')
}, 60_000)

afterAll(async () => {
  await harness?.close()
})

describe('interop: Chromium with the Calls emulator, as Cloudflare documents the flows', {timeout: 120_000}, () => {
  it('has Chromium installed', () => {
    expect(chromiumMissing(), 'the Chromium interop test needs these').toEqual([])
  })

  it('push, then pull right after connected: the pulled audio and video carry media', async () => {
    expect(chromiumMissing()).toEqual([])
    const {sessionId: ahead} = await calls<NewSessionResponse>('newSession')
    // A camera and microphone that start 500 ms after the connection is up.
    const {sessionId} = await publish('pub', {audio: true, video: true, warmUpMs: 500})
    const {pulled} = await subscribe(
      'sub',
      [
        {location: 'remote', sessionId, trackName: 'pub-video'},
        {location: 'remote', sessionId, trackName: 'pub-audio'},
      ],
      ahead,
    )
    expect(pulled.attempts).toBe(1)
    expect(pulled.tracks.map((t) => t.errorCode)).toEqual([undefined, undefined])
    const stats = await mediaFlows(
      'sub',
      pulled.tracks.map((t) => t.mid as string),
    )
    expect(
      Object.values(stats)
        .map((s) => s.kind)
        .sort(),
    ).toEqual(['audio', 'video'])
  })

  it('a simulcast publisher (f/h/q) connects, and a subscriber receives the layer it chose, then others', async () => {
    expect(chromiumMissing()).toEqual([])
    const {sessionId, push} = await publish('sim', {video: true, simulcast: true})
    expect(push.answer.sdp).toMatch(/a=simulcast:recv f;h;q/)
    expect(push.answer.sdp).toMatch(/urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/)
    const layers = () =>
      inspect().then((sessions) => sessions.find((s) => s.sessionId === sessionId)?.tracks[0]?.layers ?? {})
    await until('two layers at the emulator', layers, (l) => Object.keys(l).filter((rid) => rid !== '').length >= 2)

    const {sessionId: viewer, pulled} = await subscribe('layer', [
      {
        location: 'remote',
        sessionId,
        trackName: 'sim-video',
        simulcast: {preferredRid: 'h', priorityOrdering: 'none', ridNotAvailable: 'asciibetical'},
      },
    ])
    const mid = pulled.tracks[0]?.mid as string
    const forwarded = () =>
      inspect().then((sessions) => sessions.find((s) => s.sessionId === viewer)?.tracks[0]?.rid ?? null)
    await until('layer h to be forwarded', forwarded, (rid) => rid === 'h')
    await mediaFlows('layer', [mid])
    await until(
      'frames of layer h',
      () => receivedLayer('layer', mid, 'sim'),
      (rid) => rid === 'h',
    )

    // Change the received layer (tracks/update with the receiving mid), down and back up: after each switch
    // the subscriber decodes frames of the new layer (it does not freeze on the old picture).
    for (const rid of ['q', 'h']) {
      const decodedBefore = (await page<Record<string, Inbound>>('inbound', 'layer'))[mid]?.framesDecoded ?? 0
      const updated = await calls<{tracks: TrackResult[]}>('updateTracks', viewer, {
        tracks: [{location: 'remote', sessionId, trackName: 'sim-video', mid, simulcast: {preferredRid: rid}}],
      })
      expect(updated.tracks[0]?.errorCode).toBeUndefined()
      await until(`layer ${rid} to be forwarded`, forwarded, (forwardedRid) => forwardedRid === rid)
      await until(
        `frames of layer ${rid}`,
        () => receivedLayer('layer', mid, 'sim'),
        (receivedRid) => receivedRid === rid,
      )
      await until(
        `frames decoded after the switch to ${rid}`,
        () => page<Record<string, Inbound>>('inbound', 'layer'),
        (stats) => (stats[mid]?.framesDecoded ?? 0) > decodedBefore + 5,
      )
    }
  })

  it('DataChannels in the first offer: datachannels/new local and remote without establish, messages both ways', async () => {
    expect(chromiumMissing()).toEqual([])
    // Publisher: media and an m=application section in its first tracks/new offer.
    await page('newPeer', 'dc-a')
    await page('addMedia', 'dc-a', {audio: true, video: false})
    await page('addBootstrapChannel', 'dc-a')
    const offerA = await page<Offer>('offer', 'dc-a')
    expect(offerA.description.sdp).toMatch(/m=application .* webrtc-datachannel/)
    const {sessionId: a} = await calls<NewSessionResponse>('newSession')
    const pushA = await calls<PushResult>('pushTracks', a, {
      offer: offerA.description,
      tracks: [{mid: offerA.transceivers[0]?.mid, trackName: 'dc-a-audio'}],
    })
    await page('applyAnswer', 'dc-a', pushA.answer)
    await connected('dc-a')
    // Subscriber: only an m=application section, offered with sessions/new.
    await page('newPeer', 'dc-b')
    await page('addBootstrapChannel', 'dc-b')
    const offerB = await page<Offer>('offer', 'dc-b')
    const created = await calls<NewSessionResponse>('newSession', {sessionDescription: offerB.description})
    const b = created.sessionId
    await page('applyAnswer', 'dc-b', created.sessionDescription)
    await connected('dc-b')

    const [local] = await calls<DataChannelResult[]>('newDataChannels', a, [
      {location: 'local', dataChannelName: 'chat'},
    ])
    const [remote] = await calls<DataChannelResult[]>('newDataChannels', b, [
      {location: 'remote', sessionId: a, dataChannelName: 'chat', canReply: true},
    ])
    await page('openChannel', 'dc-a', 'chat', local?.id)
    await page('openChannel', 'dc-b', 'chat', remote?.id)
    for (const name of ['dc-a', 'dc-b']) {
      await until(
        `${name}'s channel to open`,
        () => page<string>('channelState', name, 'chat'),
        (s) => s === 'open',
      )
    }
    const deliver = async (from: string, to: string, text: string) => {
      await until(
        `"${text}" from ${from} at ${to}`,
        async () => {
          await page('send', from, 'chat', text)
          return page<string[]>('messages', to, 'chat')
        },
        (messages) => messages.includes(text),
      )
    }
    await deliver('dc-a', 'dc-b', 'hello from the publisher')
    await deliver('dc-b', 'dc-a', 'hello from the subscriber')
  })

  it('WHEP-style pull: the client offer goes with tracks/new (remote tracks) and gets an answer; media flows', async () => {
    expect(chromiumMissing()).toEqual([])
    const {sessionId} = await publish('whep-pub', {audio: true, video: true})
    await page('newPeer', 'whep')
    await page('addReceivers', 'whep', ['video', 'audio'])
    const offer = await page<Offer>('offer', 'whep')
    const {sessionId: viewer} = await calls<NewSessionResponse>('newSession')
    const pulled = await calls<Pulled>('pullTracks', viewer, {
      offer: offer.description,
      tracks: [
        {sessionId, trackName: 'whep-pub-video'},
        {sessionId, trackName: 'whep-pub-audio'},
      ],
      waitForPublisherMs: 0,
    })
    expect(pulled.answer?.type).toBe('answer')
    expect(pulled.tracks.map((t) => t.mid)).toEqual(offer.transceivers.map((t) => t.mid))
    await page('applyAnswer', 'whep', pulled.answer)
    await connected('whep')
    await mediaFlows(
      'whep',
      offer.transceivers.map((t) => t.mid),
    )
  })
})
