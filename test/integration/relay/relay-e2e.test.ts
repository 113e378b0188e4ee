/**
 * The whole relay with real parts on loopback: a werift guest publishes with WHIP to the relay, its media goes
 * through the Calls emulator, the relay pulls it and publishes it into the MediaMTX stand-in.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {CallsClient} from '../../../src/calls/calls-client.js'
import {localDescription} from '../../../src/media/peer.js'
import {createSyntheticSource, type SyntheticSource} from '../../../src/media/synthetic.js'
import type {RunningRelay} from '../../../src/relay/relay-server.js'
import {type CallsEmulator, startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import type {MediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import type {LogEvent} from '../../../src/util/log.js'
import {eventually, loopbackPeer, waitConnected} from '../../support/peers.js'
import {startLoopbackStandin, startTestRelay} from '../../support/stack.js'

const TOKEN = 'guest-token-0123456789abcdef'
const SECRET = 'calls-secret-0123456789'

interface Guest {
  pc: RTCPeerConnection
  audio: SyntheticSource
  video: SyntheticSource
  location: string
  status: number
}

let calls: CallsEmulator
let mediamtx: MediamtxStandin
let relay: RunningRelay
const events: LogEvent[] = []
const guests: Guest[] = []

async function publishGuest(path: string, token = TOKEN): Promise<Guest> {
  const pc = loopbackPeer()
  const audio = createSyntheticSource({codec: 'opus'})
  const video = createSyntheticSource({codec: 'vp8', keyframeIntervalMs: 0})
  audio.attach(pc.addTransceiver(audio.track, {direction: 'sendonly'}).sender)
  video.attach(pc.addTransceiver(video.track, {direction: 'sendonly'}).sender)
  await pc.setLocalDescription(await pc.createOffer())
  const response = await fetch(`${relay.url}/whip/${path}`, {
    method: 'POST',
    headers: {authorization: `Bearer ${token}`, 'content-type': 'application/sdp'},
    body: pc.localDescription?.sdp ?? '',
  })
  const guest = {pc, audio, video, location: response.headers.get('location') ?? '', status: response.status}
  guests.push(guest)
  if (response.status === 201) await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
  return guest
}

async function pathState(name: string) {
  const response = await fetch(`${mediamtx.apiUrl}/v3/paths/get/${name}`)
  return response.status === 200
    ? ((await response.json()) as {ready: boolean; bytesReceived: number; tracks: string[]})
    : null
}

beforeAll(async () => {
  calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  mediamtx = await startLoopbackStandin()
  relay = await startTestRelay({
    apiBase: calls.apiBase,
    appId: 'app-1',
    appSecret: SECRET,
    mediamtx,
    token: TOKEN,
    ratePerSecond: 1000,
    timings: {republishBackoffMs: [100, 200, 400], mediaSilenceMs: 1500, repullMediaMs: 2000},
    log: (event) => events.push(event),
  })
})

afterEach(async () => {
  for (const guest of guests.splice(0)) {
    guest.audio.stop()
    guest.video.stop()
    await guest.pc.close()
  }
})

afterAll(async () => {
  await relay?.close()
  await mediamtx?.close()
  await calls?.close()
})

describe('relay end to end', () => {
  it('brings a guest into MediaMTX with audio and video, carries keyframe requests back, and tears down on DELETE', async () => {
    const guest = await publishGuest('studio-guest')
    expect(guest.status).toBe(201)
    expect(guest.location).toMatch(/^\/whip\/studio-guest\/session\/[A-Za-z0-9_-]{22}$/)
    await waitConnected(guest.pc)

    await eventually(() => relay.engine.list()[0]?.state === 'live', 'the relay session to go live', 20_000)
    await eventually(() => mediamtx.sessions().some((s) => s.state === 'publishing'), 'the path in MediaMTX', 10_000)
    const before = (await pathState('studio-guest'))?.bytesReceived ?? 0
    let state = await pathState('studio-guest')
    // Polled rather than slept for: under load the next packets may take a while, but they must come.
    await eventually(
      async () => {
        state = await pathState('studio-guest')
        return (state?.bytesReceived ?? 0) > before
      },
      "the path's bytesReceived to grow",
      10_000,
    )
    expect(state?.ready).toBe(true)
    expect(state?.tracks.sort()).toEqual(['Opus', 'VP8'])
    expect(state?.bytesReceived ?? 0).toBeGreaterThan(before)

    // MediaMTX asks for a keyframe every 2 s; the relay passes the first one to the guest.
    await eventually(() => guest.video.stats.keyframeRequests > 0, 'a keyframe request at the guest', 10_000)
    const info = relay.engine.list()[0]
    expect(info?.tracks.map((t) => t.codec).sort()).toEqual(['Opus', 'VP8'])
    expect(info?.legs.fromCalls.packets).toBeGreaterThan(0)

    const deleted = await fetch(`${relay.url}${guest.location}`, {
      method: 'DELETE',
      headers: {authorization: `Bearer ${TOKEN}`},
    })
    expect(deleted.status).toBe(200)
    expect(relay.engine.list()).toEqual([])
    await eventually(() => mediamtx.sessions().length === 0, 'the MediaMTX session to end')
    expect(await pathState('studio-guest')).toBeNull()
  })

  it('publishes again when MediaMTX restarts', async () => {
    const guest = await publishGuest('restart-me')
    expect(guest.status).toBe(201)
    try {
      await eventually(() => relay.engine.list()[0]?.state === 'live', 'live', 20_000)
      const first = mediamtx.sessions()[0]?.id
      await mediamtx.restart('test')
      await eventually(() => (relay.engine.list()[0]?.republishes ?? 0) > 0, 'a republish', 10_000)
      await eventually(() => relay.engine.list()[0]?.state === 'live', 'live again', 10_000)
      await eventually(
        () =>
          mediamtx.sessions().some((s) => s.pathName === 'restart-me' && s.id !== first && s.state === 'publishing'),
        'a new MediaMTX session that publishes',
        10_000,
      )
    } finally {
      await fetch(`${relay.url}${guest.location}`, {method: 'DELETE', headers: {authorization: `Bearer ${TOKEN}`}})
    }
  })

  it('refuses a guest without a token and creates nothing', async () => {
    const guest = await publishGuest('intruder', 'wrong-token-0123456789abcdef')
    expect(guest.status).toBe(401)
    expect(relay.engine.list()).toEqual([])
  })

  it('ends a session whose guest vanished without DELETE', async () => {
    const guest = await publishGuest('vanishing')
    await eventually(() => relay.engine.list()[0]?.state === 'live', 'live', 20_000)
    guest.audio.stop()
    guest.video.stop()
    await guest.pc.close()
    await eventually(() => relay.engine.list().length === 0, 'the abandoned session to end', 15_000)
    await eventually(() => mediamtx.sessions().length === 0, 'the MediaMTX session to end')
    expect(events.some((e) => e.event === 'relay.session.closed' && e.msg === 'the guest stopped sending')).toBe(true)
  })

  it('pulls again with a new Calls session when its own session expires (410), and stays live', async () => {
    const guest = await publishGuest('expiring')
    try {
      await eventually(() => relay.engine.list()[0]?.state === 'live', 'live', 20_000)
      const pullSessions = () => calls.inspect().filter((s) => s.tracks.some((t) => t.location === 'remote'))
      const [pullSession] = pullSessions()
      expect(pullSession).toBeDefined()
      expect(calls.expireSession(pullSession?.sessionId ?? '')).toBe(true)
      await eventually(
        () => pullSessions().some((s) => s.sessionId !== pullSession?.sessionId),
        'a new pull session on Calls',
        15_000,
      )
      await eventually(() => relay.engine.list()[0]?.state === 'live', 'live again', 15_000)
      await eventually(
        () => mediamtx.sessions().some((s) => s.pathName === 'expiring' && s.state === 'publishing'),
        'publishing again',
        10_000,
      )
    } finally {
      await fetch(`${relay.url}${guest.location}`, {method: 'DELETE', headers: {authorization: `Bearer ${TOKEN}`}})
    }
  })

  it('pulls tracks another application published to Calls (POST /relay/pull) into MediaMTX', async () => {
    const client = new CallsClient({appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase})
    const pc = loopbackPeer()
    const video = createSyntheticSource({codec: 'vp8'})
    const audio = createSyntheticSource({codec: 'opus'})
    guests.push({pc, audio, video, location: '', status: 0})
    const videoMid = pc.addTransceiver(video.track, {direction: 'sendonly'})
    const audioMid = pc.addTransceiver(audio.track, {direction: 'sendonly'})
    await pc.setLocalDescription(await pc.createOffer())
    const {sessionId} = await client.newSession()
    const pushed = await client.pushTracks(sessionId, {
      offer: localDescription(pc),
      tracks: [
        {mid: videoMid.mid ?? '0', trackName: 'cam'},
        {mid: audioMid.mid ?? '1', trackName: 'mic'},
      ],
    })
    await pc.setRemoteDescription(pushed.answer)
    await waitConnected(pc)
    const response = await fetch(`${relay.adminUrl}/relay/pull`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({sessionId, trackNames: ['cam', 'mic'], path: 'panel'}),
    })
    expect(response.status).toBe(201)
    const {id} = (await response.json()) as {id: string}
    await eventually(
      () => relay.engine.list().find((s) => s.id === id)?.state === 'live',
      'the pulled session live',
      20_000,
    )
    await eventually(
      () => mediamtx.sessions().some((s) => s.pathName === 'panel' && s.state === 'publishing'),
      'panel in MediaMTX',
      10_000,
    )
    expect(
      relay.engine
        .list()
        .find((s) => s.id === id)
        ?.tracks.map((t) => t.kind)
        .sort(),
    ).toEqual(['audio', 'video'])
    await relay.engine.close(id, 'test done')
  })
})
