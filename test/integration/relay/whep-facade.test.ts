/**
 * The WHEP façade on its own, over the Calls emulator: MediaMTX's side of the contract (offer in, Calls' answer
 * out, Location, trickle, ICE restart refused, DELETE) and everything a stranger might try (no token, another
 * guest's token, wrong types, oversized bodies). A werift peer plays MediaMTX's WHEP client.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {CallsClient} from '../../../src/calls/calls-client.js'
import {localDescription} from '../../../src/media/peer.js'
import {createSyntheticSource, type SyntheticSource} from '../../../src/media/synthetic.js'
import {WhepFacade} from '../../../src/relay/whep-facade.js'
import {type CallsEmulator, startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {eventually, loopbackPeer, waitConnected} from '../../support/peers.js'

const SECRET = 'calls-secret-0123456789'
const TOKEN = 'a'.repeat(48)
const OTHER_TOKEN = 'b'.repeat(48)

let calls: CallsEmulator
let client: CallsClient
let facade: WhepFacade
let server: Server
let base: string
const closers: (() => Promise<unknown>)[] = []

/** A guest publishing audio and video to Calls; returns its session. */
async function publish(): Promise<string> {
  const pc = loopbackPeer()
  const sources: SyntheticSource[] = [createSyntheticSource({codec: 'opus'}), createSyntheticSource({codec: 'vp8'})]
  const tracks = sources.map((source) => {
    const transceiver = pc.addTransceiver(source.track, {direction: 'sendonly'})
    source.attach(transceiver.sender)
    return transceiver
  })
  await pc.setLocalDescription(await pc.createOffer())
  const {sessionId} = await client.newSession()
  const pushed = await client.pushTracks(sessionId, {
    offer: localDescription(pc),
    tracks: tracks.map((t, i) => ({mid: t.mid ?? String(i), trackName: i === 0 ? 'audio' : 'video'})),
  })
  await pc.setRemoteDescription(pushed.answer)
  await waitConnected(pc)
  closers.push(async () => {
    for (const source of sources) source.stop()
    return pc.close()
  })
  return sessionId
}

/** MediaMTX's side: a receive-only offer. */
async function whepOffer(): Promise<{pc: RTCPeerConnection; sdp: string}> {
  const pc = loopbackPeer()
  pc.addTransceiver('video', {direction: 'recvonly'})
  pc.addTransceiver('audio', {direction: 'recvonly'})
  await pc.setLocalDescription(await pc.createOffer())
  closers.push(() => pc.close())
  return {pc, sdp: pc.localDescription?.sdp ?? ''}
}

const post = (
  path: string,
  body: string,
  init: {query?: string; type?: string; headers?: Record<string, string>} = {},
) =>
  fetch(`${base}/whep/${path}${init.query ?? `?token=${TOKEN}`}`, {
    method: 'POST',
    headers: {'content-type': init.type ?? 'application/sdp', ...init.headers},
    body,
  })

const activeRemote = () =>
  calls.inspect().flatMap((s) => s.tracks.filter((t) => t.location === 'remote' && t.status === 'active'))

beforeAll(async () => {
  calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  client = new CallsClient({appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase})
  facade = new WhepFacade({calls: client, log: () => {}, waitForPublisherMs: 300})
  server = createServer(facade.handler())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const sessionId = await publish()
  const tracks = [
    {trackName: 'audio', kind: 'audio' as const},
    {trackName: 'video', kind: 'video' as const},
  ]
  facade.register({path: 'guest/one', token: TOKEN, calls: {sessionId, tracks}})
  facade.register({path: 'other', token: OTHER_TOKEN, calls: {sessionId, tracks}})
  facade.register({path: 'gone', token: TOKEN, calls: {sessionId: 'feedc0de', tracks}})
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await facade?.shutdown()
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  await calls?.close()
})

describe('WHEP façade', () => {
  it('answers MediaMTX with Calls, which then sends it the guest media directly', async () => {
    const {pc, sdp} = await whepOffer()
    let packets = 0
    pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => packets++))
    const response = await post('guest/one', sdp)
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toBe('application/sdp')
    const location = response.headers.get('location') ?? ''
    expect(location).toMatch(/^\/whep\/guest\/one\/session\/[0-9a-f-]{36}$/)
    await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
    await waitConnected(pc)
    await eventually(() => packets > 10, 'RTP from Calls at the WHEP client')
    expect(facade.stats('guest/one')).toMatchObject({pulls: 1, lastError: null})

    const url = `${base}${location}?token=${TOKEN}`
    const ufrag = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1]
    const trickle = (frag: string) =>
      fetch(url, {method: 'PATCH', headers: {'content-type': 'application/trickle-ice-sdpfrag'}, body: frag})
    expect((await trickle(`a=ice-ufrag:${ufrag}\r\na=ice-pwd:x\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n`)).status).toBe(204)
    expect((await trickle('a=ice-ufrag:restart\r\na=ice-pwd:y\r\n')).status).toBe(422)

    expect(activeRemote().length).toBe(2)
    expect((await fetch(url, {method: 'DELETE'})).status).toBe(200)
    await eventually(() => activeRemote().length === 0, 'the pulled tracks closed on Calls')
    expect((await fetch(url, {method: 'DELETE'})).status).toBe(404)
  })

  it('keeps one pull per guest: a new POST (MediaMTX pulling again) closes the previous pull', async () => {
    const first = await post('guest/one', (await whepOffer()).sdp)
    expect(first.status).toBe(201)
    expect(activeRemote().length).toBe(2)
    const second = await post('guest/one', (await whepOffer()).sdp)
    expect(second.status).toBe(201)
    await eventually(() => activeRemote().length === 2, 'only the newest pull active')
    expect(second.headers.get('location')).not.toBe(first.headers.get('location'))
    await facade.unregister('guest/one')
    await eventually(() => activeRemote().length === 0, 'the pull closed with the guest')
  })

  it('takes the token as Authorization: Bearer too (whepBearerToken)', async () => {
    const response = await post('other', (await whepOffer()).sdp, {
      query: '',
      headers: {authorization: `Bearer ${OTHER_TOKEN}`},
    })
    expect(response.status).toBe(201)
    await facade.unregister('other')
  })

  it.each([
    {what: 'no token', path: 'gone', init: {query: ''}, status: 401},
    {what: "another guest's token", path: 'gone', init: {query: `?token=${OTHER_TOKEN}`}, status: 404},
    {what: 'an unknown path', path: 'nobody', init: {}, status: 404},
    {what: 'a JSON body', path: 'gone', init: {type: 'application/json'}, status: 415},
    {what: 'a body that is not SDP', path: 'gone', init: {}, body: 'hello', status: 400},
    {what: 'an oversized offer', path: 'gone', init: {}, body: `v=0\r\n${'a=x\r\n'.repeat(20_000)}`, status: 413},
    {what: 'a guest whose tracks are not on Calls', path: 'gone', init: {}, status: 404},
  ])('refuses $what with $status', async ({path, init, body, status}) => {
    const response = await post(path, body ?? (await whepOffer()).sdp, init)
    expect(response.status).toBe(status)
    expect(response.headers.get('location')).toBeNull()
  })

  it('refuses other methods and malformed paths without throwing', async () => {
    expect((await fetch(`${base}/whep/guest/one?token=${TOKEN}`)).status).toBe(404)
    expect((await fetch(`${base}/whep/%E0%A4%A?token=${TOKEN}`, {method: 'POST'})).status).toBe(400)
    expect((await fetch(`${base}/`, {method: 'PUT'})).status).toBe(404)
  })
})
