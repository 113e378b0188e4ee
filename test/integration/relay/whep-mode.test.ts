/**
 * The relay in `whep` mode with real parts on loopback: a werift guest publishes to the relay (WHIP), its media
 * goes to the Calls emulator, and the MediaMTX stand-in pulls it straight from there over WHEP through the
 * relay's façade (a path the relay added with the v3 API). Leaving, a MediaMTX restart and a Calls 410 recover.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {CallsClient} from '../../../src/calls/calls-client.js'
import {localDescription} from '../../../src/media/peer.js'
import {createSyntheticSource, type SyntheticSource} from '../../../src/media/synthetic.js'
import {type RunningRelay, startRelay} from '../../../src/relay/relay-server.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {type CallsEmulator, startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import type {LogEvent} from '../../../src/util/log.js'
import {eventually, loopbackPeer, waitConnected} from '../../support/peers.js'

const TOKEN = 'guest-token-0123456789abcdef'
const SECRET = 'calls-secret-0123456789'
/** MediaMTX's defaults, with a short readTimeout so a dead source is noticed quickly. */
const YML = 'webrtcLocalUDPAddress: :8189\nreadTimeout: 2s\npaths:\n  all_others:\n'

interface Guest {
  pc: RTCPeerConnection
  sources: SyntheticSource[]
  location: string
  status: number
}

let calls: CallsEmulator
let mediamtx: MediamtxStandin
let relay: RunningRelay
const events: LogEvent[] = []
const guests: Guest[] = []

async function publishGuest(path: string): Promise<Guest> {
  const pc = loopbackPeer()
  const audio = createSyntheticSource({codec: 'opus'})
  const video = createSyntheticSource({codec: 'vp8', keyframeIntervalMs: 0})
  audio.attach(pc.addTransceiver(audio.track, {direction: 'sendonly'}).sender)
  video.attach(pc.addTransceiver(video.track, {direction: 'sendonly'}).sender)
  await pc.setLocalDescription(await pc.createOffer())
  const response = await fetch(`${relay.url}/whip/${path}`, {
    method: 'POST',
    headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
    body: pc.localDescription?.sdp ?? '',
  })
  const guest = {pc, sources: [audio, video], location: response.headers.get('location') ?? '', status: response.status}
  guests.push(guest)
  if (response.status === 201) await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
  return guest
}

const leave = (guest: Guest) =>
  fetch(`${relay.url}${guest.location}`, {method: 'DELETE', headers: {authorization: `Bearer ${TOKEN}`}})

async function pathState(name: string) {
  const response = await fetch(`${mediamtx.apiUrl}/v3/paths/get/${name}`)
  return response.status === 200
    ? ((await response.json()) as {ready: boolean; inboundBytes: number; tracks: string[]; source: unknown})
    : null
}

async function configured(name: string): Promise<{source?: string} | null> {
  const response = await fetch(`${mediamtx.apiUrl}/v3/config/paths/get/${name}`)
  return response.status === 200 ? ((await response.json()) as {source?: string}) : null
}

/** Waits until the path is ready in MediaMTX and its byte counter grows. */
async function expectMediaFlowing(name: string, timeoutMs = 20_000): Promise<void> {
  let first: number | undefined
  await eventually(
    async () => {
      const state = await pathState(name)
      if (!state?.ready) return false
      first ??= state.inboundBytes
      return state.inboundBytes > first
    },
    `media flowing into MediaMTX path ${name}`,
    timeoutMs,
  )
}

/** Calls sessions subscribed to a guest right now (closed pulls stay listed, with inactive tracks). */
const pullSessions = () =>
  calls.inspect().filter((s) => s.tracks.some((t) => t.location === 'remote' && t.status === 'active'))

beforeAll(async () => {
  calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  mediamtx = await startMediamtxStandin({
    configText: YML,
    whipPort: 0,
    apiPort: 0,
    interfaces: [{name: 'lo', address: '127.0.0.1'}],
    whepRetryPauseMs: 200,
  })
  relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase},
    target: `${mediamtx.whipUrl}/{path}/whip`,
    tokens: parseTokensFile(`* ${TOKEN}\n`, 'test'),
    stunUrls: [],
    ratePerSecond: 1000,
    log: (event) => events.push(event),
    whep: {
      mode: 'auto',
      mediamtxApi: {url: mediamtx.apiUrl ?? ''},
      whepTimings: {watchMs: 200, guestGoneMs: 5000, callsCheckMs: 500},
    },
  })
})

afterEach(async () => {
  for (const guest of guests.splice(0)) {
    for (const source of guest.sources) source.stop()
    await guest.pc.close()
  }
})

afterAll(async () => {
  await relay?.close()
  await mediamtx?.close()
  await calls?.close()
})

describe('relay in whep mode', () => {
  it('picks whep mode for a MediaMTX whose API has whep:// sources, and says so in /status', async () => {
    expect(relay.mode).toMatchObject({mode: 'whep', requested: 'auto', mediamtxVersion: 'v1.20.1'})
    expect(events.find((e) => e.event === 'relay.mode')?.msg).toMatch(/^whep mode: MediaMTX v1\.20\.1/)
    const status = (await (await fetch(`${relay.adminUrl}/status`)).json()) as Record<string, unknown>
    expect(status).toMatchObject({mode: 'whep', sessions: []})
  })

  it('has MediaMTX pull the guest straight from Calls, and removes the path when the guest leaves', async () => {
    const guest = await publishGuest('studio-guest')
    expect(guest.status).toBe(201)
    await waitConnected(guest.pc)
    const conf = await configured('studio-guest')
    expect(conf?.source).toMatch(/^whep:\/\/127\.0\.0\.1:\d+\/whep\/studio-guest\?token=[0-9a-f]{48}$/)
    await expectMediaFlowing('studio-guest')
    expect((await pathState('studio-guest'))?.tracks.sort()).toEqual(['Opus', 'VP8'])
    // The subscriber session on Calls is MediaMTX's (made by the façade); the relay has no peer of its own.
    expect(pullSessions()).toHaveLength(1)
    await eventually(() => relay.engine.list()[0]?.state === 'live', 'the relay to report the guest live')
    expect(relay.engine.list()[0]).toMatchObject({
      path: 'studio-guest',
      tracks: [
        {kind: 'audio', codec: 'Opus'},
        {kind: 'video', codec: 'VP8'},
      ],
      legs: {fromCalls: {packets: 0}, toMediamtx: {packets: 0}},
      media: {mode: 'whep', mediamtxPath: 'studio-guest', ready: true, pulls: 1},
    })

    expect((await leave(guest)).status).toBe(200)
    expect(relay.engine.list()).toEqual([])
    expect(await configured('studio-guest')).toBeNull()
    await eventually(async () => (await pathState('studio-guest')) === null, 'the path to leave MediaMTX')
    expect(
      calls.inspect().flatMap((s) => s.tracks.filter((t) => t.location === 'remote' && t.status === 'active')),
    ).toEqual([])
  })

  it('adds the path again when MediaMTX restarts (API paths live in memory only)', async () => {
    const guest = await publishGuest('restart-me')
    try {
      await expectMediaFlowing('restart-me')
      await mediamtx.restart('test')
      expect(await configured('restart-me')).toBeNull()
      await eventually(async () => (await configured('restart-me')) !== null, 'the relay to add the path again')
      await expectMediaFlowing('restart-me')
      expect(relay.engine.list()[0]?.republishes).toBeGreaterThan(0)
      expect(events.some((e) => e.event === 'relay.whep.readd')).toBe(true)
    } finally {
      await leave(guest)
    }
  })

  it('is pulled again with a new Calls session when the pull session expires (410)', async () => {
    const guest = await publishGuest('expiring')
    try {
      await expectMediaFlowing('expiring')
      const [pull] = pullSessions()
      expect(calls.expireSession(pull?.sessionId ?? '')).toBe(true)
      await eventually(
        () => pullSessions().some((s) => s.sessionId !== pull?.sessionId),
        'MediaMTX to pull again through the façade',
        20_000,
      )
      await eventually(() => (relay.engine.list()[0]?.media?.pulls ?? 0) > 1, 'a second pull', 20_000)
      await expectMediaFlowing('expiring')
      expect(pullSessions()).toHaveLength(1)
    } finally {
      await leave(guest)
    }
  })

  it('ends the session and removes the path when the guest vanishes without DELETE', async () => {
    const guest = await publishGuest('vanishing')
    await expectMediaFlowing('vanishing')
    for (const source of guest.sources) source.stop()
    await guest.pc.close()
    await eventually(() => relay.engine.list().length === 0, 'the abandoned session to end', 20_000)
    expect(await configured('vanishing')).toBeNull()
    expect(events.some((e) => e.event === 'relay.session.closed' && e['path'] === 'vanishing')).toBe(true)
  })
})

describe('the guest leaves Calls', () => {
  it("ends the session when the guest's own Calls session is gone (410)", async () => {
    const guest = await publishGuest('push-expires')
    await expectMediaFlowing('push-expires')
    const push = calls
      .inspect()
      .find((s) => s.tracks.some((t) => t.location === 'local' && t.status === 'active' && s.connected))
    const id = relay.engine.list()[0]?.id
    expect(calls.expireSession(push?.sessionId ?? '')).toBe(true)
    await eventually(() => !relay.engine.has(id ?? ''), 'the relay to end the session', 15_000)
    expect(await configured('push-expires')).toBeNull()
    expect(events.some((e) => e.msg === "the guest's Calls session is gone" && e['path'] === 'push-expires')).toBe(true)
    expect(guest.status).toBe(201)
  })
})

describe('relay pull in whep mode', () => {
  it('has MediaMTX pull tracks another application published to Calls (POST /relay/pull)', async () => {
    const client = new CallsClient({appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase})
    const pc = loopbackPeer()
    const video = createSyntheticSource({codec: 'vp8'})
    guests.push({pc, sources: [video], location: '', status: 0})
    const transceiver = pc.addTransceiver(video.track, {direction: 'sendonly'})
    video.attach(transceiver.sender)
    await pc.setLocalDescription(await pc.createOffer())
    const {sessionId} = await client.newSession()
    const pushed = await client.pushTracks(sessionId, {
      offer: localDescription(pc),
      tracks: [{mid: transceiver.mid ?? '0', trackName: 'cam'}],
    })
    await pc.setRemoteDescription(pushed.answer)
    await waitConnected(pc)
    const response = await fetch(`${relay.adminUrl}/relay/pull`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({sessionId, trackNames: ['cam'], path: 'panel'}),
    })
    expect(response.status).toBe(201)
    const {id} = (await response.json()) as {id: string}
    await expectMediaFlowing('panel')
    expect((await pathState('panel'))?.tracks).toEqual(['VP8'])
    await relay.engine.close(id, 'test done')
    expect(await configured('panel')).toBeNull()
  })
})

describe('mode choice', () => {
  it.each([
    {version: 'v1.1.0', reason: /has no v3 control API.*falling back to forward mode/},
    {version: 'v1.9.0', reason: null},
  ])('MediaMTX $version → whep only with the v3 API', async ({version, reason}) => {
    const old = await startMediamtxStandin({configText: YML, version, whipPort: 0, apiPort: 0})
    const log: LogEvent[] = []
    const forwardOrWhep = await startRelay({
      host: '127.0.0.1',
      port: 0,
      calls: {appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase},
      target: `${old.whipUrl}/{path}/whip`,
      tokens: parseTokensFile(`* ${TOKEN}\n`, 'test'),
      log: (event) => log.push(event),
      whep: {mode: 'auto', mediamtxApi: {url: old.apiUrl ?? ''}},
    })
    try {
      if (reason) {
        expect(forwardOrWhep.mode.mode).toBe('forward')
        expect(forwardOrWhep.mode.reason).toMatch(reason)
      } else {
        expect(forwardOrWhep.mode).toMatchObject({mode: 'whep', mediamtxVersion: null})
      }
      expect(log.filter((e) => e.event === 'relay.mode')).toHaveLength(1)
    } finally {
      await forwardOrWhep.close()
      await old.close()
    }
  })
})
