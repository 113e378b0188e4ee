/**
 * The emulator never crashes on bad input: more than a thousand random and mutated request bodies and
 * SDPs, sent one after another. Every answer is a 4xx with a JSON error (or a success, when a mutation
 * happens to be valid), never a 5xx, and the emulator still serves a full push/pull afterwards.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {localDescription, waitForConnected} from '../../../../src/media/peer.js'
import type {CallsEmulator} from '../../../../src/sim/calls-sfu/sfu-server.js'
import {
  APP,
  answerWith,
  clientFor,
  createPublisher,
  loopbackPeer,
  pushConnected,
  startEmulator,
  waitFor,
} from '../../../support/calls.js'
import {mutateSdp, prng} from '../../fuzz/fuzz-kit.js'

const rand = prng(0x5eed58)

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  'x'.repeat(5000),
  '\u0000\u0001\uffff',
  [],
  [null],
  {},
  {nested: {deeper: [1, {x: 'y'}]}},
  'offer',
  'answer',
  'local',
  'remote',
  '#mic',
  '../../etc/passwd',
]

function mutateValue(value: unknown, depth = 0): unknown {
  if (depth > 4 || rand.next() < 0.15) return rand.pick(WEIRD_VALUES)
  if (Array.isArray(value)) {
    const copy = value.map((v) => mutateValue(v, depth + 1))
    if (rand.next() < 0.2) copy.push(rand.pick(WEIRD_VALUES))
    if (rand.next() < 0.1) return Array.from({length: 70}, () => copy[0] ?? {})
    return copy
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const roll = rand.next()
      if (roll < 0.1) continue // drop the field
      const name = roll < 0.2 ? key.toLowerCase() : roll < 0.25 ? `${key}x` : key // misspell it
      out[name] = rand.next() < 0.5 ? mutateValue(item, depth + 1) : item
    }
    if (rand.next() < 0.1) out[rand.pick(['extra', 'trackname', 'force', 'tracks', 'sdp'])] = rand.pick(WEIRD_VALUES)
    return out
  }
  return rand.next() < 0.5 ? rand.pick(WEIRD_VALUES) : value
}

function mutateText(text: string): string {
  switch (rand.int(6)) {
    case 0:
      return text.slice(0, rand.int(text.length))
    case 1:
      return text.replace(/[{}[\]":,]/, '')
    case 2: {
      const at = rand.int(text.length)
      return text.slice(0, at) + String.fromCharCode(rand.int(0x10000)) + text.slice(at)
    }
    case 3:
      return `${text}${text}`
    case 4:
      return ''
    default:
      return JSON.stringify(rand.pick(WEIRD_VALUES))
  }
}

let emulator: CallsEmulator
let validOffer = ''
let sessionPool: string[] = []
const statuses = new Map<number, number>()

async function send(method: string, path: string, body: string | undefined): Promise<void> {
  const response = await fetch(`${emulator.apiBase}${path}`, {
    method,
    headers: {authorization: `Bearer ${APP.secret}`, 'content-type': 'application/json'},
    ...(body !== undefined && {body}),
  })
  const text = await response.text()
  // The one documented 5xx: adapters it cannot open (503, every item websocket_handshake_failed).
  const adapters =
    response.status === 503 && path.endsWith('/adapters/websocket/new') && text.includes('websocket_handshake_failed')
  const status = adapters ? 400 : response.status
  statuses.set(status, (statuses.get(status) ?? 0) + 1)
  expect(status, `${method} ${path} ${body?.slice(0, 300)} → ${text.slice(0, 300)}`).toBeLessThan(500)
  if (response.status >= 400 && !adapters) {
    expect(JSON.parse(text), text).toHaveProperty('errorDescription')
  }
}

beforeAll(async () => {
  emulator = await startEmulator({unconnectedExpiryMs: 1000, connectWaitMs: 50, limits: {maxSessions: 10_000}})
  const publisher = createPublisher(['opus', 'vp8'])
  validOffer = (await publisher.offer()).sdp
  await publisher.stop()
})
afterAll(() => emulator.close())

const session = () => rand.pick(sessionPool)
const BODIES: {method: string; path: () => string; body: () => unknown}[] = [
  {
    method: 'POST',
    path: () => `/apps/${APP.id}/sessions/new`,
    body: () => ({sessionDescription: {type: 'offer', sdp: 'v=0'}}),
  },
  {
    method: 'POST',
    path: () => `/apps/${APP.id}/sessions/${session()}/tracks/new`,
    body: () => ({
      sessionDescription: {type: 'offer', sdp: 'v=0\r\n'},
      tracks: [{location: 'local', mid: '0', trackName: 'cam', kind: 'video', simulcast: {preferredRid: 'h'}}],
    }),
  },
  {
    method: 'POST',
    path: () => `/apps/${APP.id}/sessions/${session()}/tracks/new`,
    body: () => ({tracks: [{location: 'remote', sessionId: session(), trackName: 'cam', mid: '#x'}]}),
  },
  {
    method: 'PUT',
    path: () => `/apps/${APP.id}/sessions/${session()}/renegotiate`,
    body: () => ({sessionDescription: {type: 'answer', sdp: 'v=0\r\n'}}),
  },
  {
    method: 'PUT',
    path: () => `/apps/${APP.id}/sessions/${session()}/tracks/close`,
    body: () => ({tracks: [{mid: '0'}], force: true}),
  },
  {
    method: 'PUT',
    path: () => `/apps/${APP.id}/sessions/${session()}/tracks/update`,
    body: () => ({tracks: [{location: 'remote', mid: '0', sessionId: session(), trackName: 'x'}]}),
  },
  {
    method: 'POST',
    path: () => `/apps/${APP.id}/sessions/${session()}/datachannels/new`,
    body: () => ({dataChannels: [{location: 'local', dataChannelName: 'x', ordered: false, maxRetransmits: 0}]}),
  },
  {
    method: 'POST',
    path: () => `/apps/${APP.id}/sessions/${session()}/datachannels/establish`,
    body: () => ({dataChannel: {location: 'remote', dataChannelName: 'server-events'}}),
  },
  {
    method: 'PUT',
    path: () => `/apps/${APP.id}/sessions/${session()}/datachannels/close`,
    body: () => ({dataChannels: [{id: 1}]}),
  },
  {
    method: 'POST',
    path: () => `/apps/${APP.id}/adapters/websocket/new`,
    body: () => ({
      tracks: [{location: 'local', trackName: 't', endpoint: 'wss://example.invalid/x', inputCodec: 'pcm'}],
    }),
  },
]

describe('fuzzing the emulator', () => {
  it('answers 700 mutated JSON bodies with 4xx (or success), never 5xx', async () => {
    const client = clientFor(emulator)
    for (let i = 0; i < 700; i++) {
      // Fresh sessions now and then: unconnected ones expire (and then answer 410 before any validation).
      if (i % 50 === 0)
        sessionPool = await Promise.all([1, 2, 3, 4].map(async () => (await client.newSession()).sessionId))
      const target = rand.pick(BODIES)
      const valid = JSON.stringify(target.body())
      const body = rand.next() < 0.7 ? JSON.stringify(mutateValue(JSON.parse(valid))) : mutateText(valid)
      await send(target.method, target.path(), body)
    }
  })

  it('answers 500 mutated SDPs (offers and answers) with 4xx (or success), never 5xx', async () => {
    for (let i = 0; i < 500; i++) {
      const sdp = rand.next() < 0.9 ? mutateSdp(rand, validOffer) : validOffer
      const {sessionId} = await clientFor(emulator).newSession()
      const roll = rand.next()
      if (roll < 0.6) {
        await send(
          'POST',
          `/apps/${APP.id}/sessions/${sessionId}/tracks/new`,
          JSON.stringify({sessionDescription: {type: 'offer', sdp}, autoDiscover: true}),
        )
      } else if (roll < 0.8) {
        await send('POST', `/apps/${APP.id}/sessions/new`, JSON.stringify({sessionDescription: {type: 'offer', sdp}}))
      } else {
        // An SFU offer first, then a mutated answer.
        await send(
          'POST',
          `/apps/${APP.id}/sessions/${sessionId}/tracks/new`,
          JSON.stringify({tracks: [{location: 'local', trackName: 'a', kind: 'audio'}]}),
        )
        const answer = sdp.replace('a=setup:actpass', 'a=setup:active')
        await send(
          'PUT',
          `/apps/${APP.id}/sessions/${sessionId}/renegotiate`,
          JSON.stringify({sessionDescription: {type: 'answer', sdp: answer}}),
        )
      }
    }
  })

  it('answers 100 odd requests (methods, paths, headers, sizes) without failing', async () => {
    const paths = [
      '/',
      '/v1',
      '/v1/apps',
      `/v1/apps/${APP.id}`,
      `/v1/apps/${APP.id}/sessions/%00`,
      `/v1/apps/${APP.id}/sessions/${'a'.repeat(300)}`,
      '/v1/turn/keys/x/credentials/generate',
    ]
    for (let i = 0; i < 100; i++) {
      const url = `${emulator.url}${rand.pick(paths)}`
      const method = rand.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
      const response = await fetch(url, {
        method,
        headers: {
          authorization: rand.pick(['', 'Bearer', `Bearer ${APP.secret}`, 'Basic x', `Bearer ${'x'.repeat(4000)}`]),
        },
        ...(method !== 'GET' && {body: rand.next() < 0.5 ? 'x'.repeat(rand.int(400_000)) : '{}'}),
      })
      await response.arrayBuffer()
      expect(response.status).toBeLessThan(500)
    }
  })

  it('still serves a full push and pull afterwards', async () => {
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true)
    // The mutations reached validation and werift, and some of them were valid.
    expect((statuses.get(400) ?? 0) + (statuses.get(406) ?? 0), JSON.stringify([...statuses])).toBeGreaterThan(500)
    expect((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0), JSON.stringify([...statuses])).toBeGreaterThan(50)
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000)
    const client = clientFor(emulator)
    const publisher = createPublisher(['vp8'])
    const subscriber = loopbackPeer()
    try {
      const sessionId = await pushConnected(client, publisher)
      const sub = await client.newSession()
      await client.pullTracks(sub.sessionId, {tracks: [{sessionId, trackName: 'cam'}], answer: answerWith(subscriber)})
      let packets = 0
      subscriber.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => packets++))
      for (const t of subscriber.getTransceivers())
        for (const track of t.receiver.tracks) track.onReceiveRtp.subscribe(() => packets++)
      await waitForConnected(subscriber, 10_000)
      await waitFor(() => packets > 10, 'RTP after the fuzzing')
      expect(localDescription(subscriber).type).toBe('answer')
    } finally {
      await publisher.stop()
      await subscriber.close()
    }
  })
})
