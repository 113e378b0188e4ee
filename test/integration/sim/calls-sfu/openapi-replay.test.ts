/**
 * Every example request and response of the Calls OpenAPI file (test/fixtures, the file Cloudflare
 * publishes) replayed against the emulator. Placeholders are replaced by live values (a publisher session
 * with tracks of the examples' names, real SDP from werift peers), then:
 * - the status is the one the example documents;
 * - every field of the example response is present with the same JSON type;
 * - every field of the actual response is a documented field of the response schema.
 * The few examples the emulator cannot produce (adapters that need a public WebSocket endpoint, failures
 * inside Cloudflare) are listed as deviations, each with the answer it gets instead.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {parse} from 'yaml'
import type {CallsClient} from '../../../../src/calls/calls-client.js'
import {localDescription, waitForConnected} from '../../../../src/media/peer.js'
import type {CallsEmulator} from '../../../../src/sim/calls-sfu/sfu-server.js'
import {
  APP,
  answerWith,
  clientFor,
  createPublisher,
  loopbackPeer,
  type Publisher,
  raw,
  startEmulator,
  waitFor,
} from '../../../support/calls.js'
import {ROOT} from '../../../support/cli.js'

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
type Schema = {[key: string]: unknown}

const spec = parse(readFileSync(join(ROOT, 'test/fixtures/cloudflare-realtime-openapi-2024-05-21.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>
  components: {schemas: Record<string, Schema>}
}

interface Operation {
  requestBody?: {content: {'application/json': MediaType}}
  responses: Record<string, {content?: {'application/json': MediaType}}>
}
interface MediaType {
  schema?: Schema
  example?: Json
  examples?: Record<string, {value: Json}>
}

const EXAMPLE_PUBLISHER = '2a45361d5fd7cc14eface0587c276c94'

/** Named examples of a media type: `examples`, `example`, or an example inside `schema.allOf`. */
function examplesOf(media: MediaType | undefined): Record<string, Json> {
  if (!media) return {}
  if (media.examples) return Object.fromEntries(Object.entries(media.examples).map(([k, v]) => [k, v.value]))
  if (media.example !== undefined) return {example: media.example}
  const inSchema = (media.schema?.['allOf'] as {example?: Json}[] | undefined)?.find((s) => s.example !== undefined)
  return inSchema ? {example: inSchema.example as Json} : {}
}

/** Every example in the file, as `METHOD path request|STATUS name`. */
function allExamples(): string[] {
  const out: string[] = []
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const op = `${method.toUpperCase()} ${path}`
      for (const name of Object.keys(examplesOf(operation.requestBody?.content['application/json']))) {
        out.push(`${op} request ${name}`)
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const name of Object.keys(examplesOf(response.content?.['application/json'])))
          out.push(`${op} ${status} ${name}`)
      }
    }
  }
  return out.sort()
}

function resolve(schema: Schema): Schema {
  const ref = schema['$ref'] as string | undefined
  if (ref) return resolve(spec.components.schemas[ref.split('/').pop() as string] as Schema)
  return schema
}

/** The documented field paths of a schema (`tracks[].mid`), following $ref, allOf and items. */
function schemaPaths(input: Schema, prefix = '', out = new Set<string>()): Set<string> {
  const schema = resolve(input)
  for (const part of (schema['allOf'] as Schema[] | undefined) ?? []) schemaPaths(part, prefix, out)
  if (schema['items']) schemaPaths(schema['items'] as Schema, `${prefix}[]`, out)
  for (const [key, value] of Object.entries((schema['properties'] as Record<string, Schema> | undefined) ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key
    out.add(path)
    schemaPaths(value, path, out)
  }
  return out
}

const kind = (value: Json): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)

/** Field path → JSON type; array items are merged. */
function shape(value: Json, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) for (const item of value) shape(item, `${prefix}[]`, out)
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key
      out.set(path, kind(item))
      shape(item, path, out)
    }
  }
  return out
}

function responseMedia(path: string, method: string, status: string): MediaType | undefined {
  return spec.paths[path]?.[method.toLowerCase()]?.responses[status]?.content?.['application/json']
}

/** Substitutes the examples' publisher session id with the live one. */
function live(example: Json, publisher: string): Json {
  return JSON.parse(JSON.stringify(example).replaceAll(EXAMPLE_PUBLISHER, publisher))
}

interface World {
  emulator: CallsEmulator
  client: CallsClient
  /** Live stand-in for the examples' publisher session. */
  publisher: string
  publisherPeer: Publisher
  /** A connected subscriber session used by several examples, and its peer. */
  subscriber: string
  subscriberPeer: RTCPeerConnection
  cleanup: (() => Promise<unknown>)[]
}

const PUBLISHED = [
  ['2e037563-a35d-4bf6-a9ee-2d474cbb9a58', 'vp8'],
  ['simulcast-video-track', 'vp8'],
  ['other-track-name', 'vp8'],
  ['simulcast-track', 'vp8'],
  ['generated-audio', 'opus'],
] as const

interface Case {
  /** `METHOD /path` as in the file. */
  operation: string
  /** The request example replayed (if any). */
  request?: string
  /** Response examples this case produces and checks. */
  responses: {status: string; name: string}[]
  /** Status when it differs from the response examples' (a documented deviation). */
  deviation?: {status: number; why: string; errorCode?: string} | undefined
  /** Runs the request; returns the status and body. */
  run: (world: World, body: Json | undefined) => Promise<{status: number; json: Record<string, unknown>}>
}

const base = (session: string) => `/apps/${APP.id}/sessions/${session}`

async function newSession(world: World): Promise<string> {
  return (await world.client.newSession()).sessionId
}

/** A fresh werift publisher's offer, and a function to use its mids in an example body. */
async function offerFrom(world: World, codecs: ('vp8' | 'opus')[]): Promise<Publisher> {
  const publisher = createPublisher(codecs)
  world.cleanup.push(() => publisher.stop())
  await publisher.offer()
  return publisher
}

function withSdp(body: Json, sdp: string, mids: string[] = []): Json {
  const copy = JSON.parse(JSON.stringify(body)) as {sessionDescription?: {sdp: string}; tracks?: {mid?: string}[]}
  if (copy.sessionDescription) copy.sessionDescription.sdp = sdp
  copy.tracks?.forEach((track, i) => {
    if (track.mid !== undefined && !track.mid.startsWith('#') && mids[i] !== undefined) track.mid = mids[i]
  })
  return copy as Json
}

const TRACKS_NEW = 'POST /apps/{appId}/sessions/{sessionId}/tracks/new'
const CLOSE = 'PUT /apps/{appId}/sessions/{sessionId}/tracks/close'
const UPDATE = 'PUT /apps/{appId}/sessions/{sessionId}/tracks/update'
const DC_NEW = 'POST /apps/{appId}/sessions/{sessionId}/datachannels/new'
const DC_ESTABLISH = 'POST /apps/{appId}/sessions/{sessionId}/datachannels/establish'
const ADAPTERS_NEW = 'POST /apps/{appId}/adapters/websocket/new'
const ADAPTERS_CLOSE = 'POST /apps/{appId}/adapters/websocket/close'

/** Answers a pending SFU offer of `session` with `pc` and waits until connected. */
async function complete(world: World, session: string, pc: RTCPeerConnection, json: Record<string, unknown>) {
  const offer = json['sessionDescription'] as {type: 'offer'; sdp: string}
  await world.client.renegotiate(session, await answerWith(pc)(offer))
  await waitForConnected(pc, 10_000)
}

const CASES: Case[] = [
  {
    operation: 'POST /apps/{appId}/sessions/new',
    responses: [{status: '201', name: 'example'}],
    run: async (w) => raw(w.emulator, 'POST', `/apps/${APP.id}/sessions/new`),
  },
  {
    operation: TRACKS_NEW,
    request: 'local_tracks',
    responses: [{status: '200', name: 'local_tracks'}],
    run: async (w, body) => {
      const p = await offerFrom(w, ['vp8'])
      const sdp = localDescription(p.pc).sdp
      return raw(w.emulator, 'POST', `${base(await newSession(w))}/tracks/new`, withSdp(body as Json, sdp, p.mids))
    },
  },
  {
    operation: TRACKS_NEW,
    request: 'push_track_with_bidirectional_stream',
    responses: [],
    run: async (w, body) => {
      const p = await offerFrom(w, ['opus'])
      return raw(
        w.emulator,
        'POST',
        `${base(await newSession(w))}/tracks/new`,
        withSdp(body as Json, localDescription(p.pc).sdp, p.mids),
      )
    },
  },
  {
    operation: TRACKS_NEW,
    request: 'push_tracks_with_autodiscover',
    responses: [],
    run: async (w, body) => {
      const p = await offerFrom(w, ['opus', 'vp8'])
      return raw(
        w.emulator,
        'POST',
        `${base(await newSession(w))}/tracks/new`,
        withSdp(body as Json, localDescription(p.pc).sdp),
      )
    },
  },
  {
    operation: TRACKS_NEW,
    request: 'push_track_without_an_offer',
    responses: [],
    run: async (w, body) => raw(w.emulator, 'POST', `${base(await newSession(w))}/tracks/new`, body),
  },
  {
    operation: TRACKS_NEW,
    request: 'remote_tracks',
    responses: [{status: '200', name: 'remote_tracks'}],
    // On the shared subscriber: it then holds this pulled track (used by update, GET and close below).
    run: async (w, body) => {
      const response = await raw(
        w.emulator,
        'POST',
        `${base(w.subscriber)}/tracks/new`,
        live(body as Json, w.publisher),
      )
      await complete(w, w.subscriber, w.subscriberPeer, response.json)
      return response
    },
  },
  {
    operation: TRACKS_NEW,
    request: 'remote_track_with_simulcast',
    responses: [{status: '200', name: 'remote_tracks_with_simulcast'}],
    run: async (w, body) =>
      raw(w.emulator, 'POST', `${base(await newSession(w))}/tracks/new`, live(body as Json, w.publisher)),
  },
  {
    operation: TRACKS_NEW,
    request: 'pull_track_with_bidirectional_stream',
    responses: [],
    run: async (w, body) =>
      raw(w.emulator, 'POST', `${base(w.subscriber)}/tracks/new`, live(body as Json, w.publisher)),
  },
  {
    operation: 'PUT /apps/{appId}/sessions/{sessionId}/renegotiate',
    request: 'example',
    responses: [{status: '200', name: 'example'}],
    run: async (w, body) => {
      const session = await newSession(w)
      const offered = await w.client.newTracks(session, {
        tracks: [{location: 'remote', sessionId: w.publisher, trackName: 'other-track-name'}],
      })
      const pc = loopbackPeer()
      w.cleanup.push(() => pc.close())
      const answer = await answerWith(pc)(offered.sessionDescription as {type: 'offer'; sdp: string})
      return raw(w.emulator, 'PUT', `${base(session)}/renegotiate`, withSdp(body as Json, answer.sdp))
    },
  },
  {
    operation: UPDATE,
    request: 'reuse_transceiver',
    responses: [{status: '200', name: 'success'}],
    run: async (w, body) => {
      const mid = (await w.client.getSession(w.subscriber)).tracks?.find((t) => t.location === 'remote')?.mid as string
      const request = live(body as Json, w.publisher) as {tracks: {mid: string}[]}
      for (const track of request.tracks) track.mid = mid
      return raw(w.emulator, 'PUT', `${base(w.subscriber)}/tracks/update`, request as unknown as Json)
    },
  },
  {
    operation: UPDATE,
    request: 'reuse_with_simulcast',
    responses: [],
    deviation: {
      status: 200,
      errorCode: 'update_track_error',
      why: 'werift cannot publish simulcast, so the publication has no layers: the documented update_track_error',
    },
    run: async (w, body) => {
      const mid = (await w.client.getSession(w.subscriber)).tracks?.find((t) => t.location === 'remote')?.mid as string
      const request = live(body as Json, w.publisher) as {tracks: {mid: string}[]}
      for (const track of request.tracks) track.mid = mid
      return raw(w.emulator, 'PUT', `${base(w.subscriber)}/tracks/update`, request as unknown as Json)
    },
  },
  {
    operation: DC_ESTABLISH,
    request: 'ask_for_an_offer',
    responses: [{status: '200', name: 'ask_for_an_offer'}],
    run: async (w, body) => {
      const response = await raw(w.emulator, 'POST', `${base(w.subscriber)}/datachannels/establish`, body)
      w.subscriberPeer.createDataChannel('server-events', {negotiated: true, id: 0})
      await complete(w, w.subscriber, w.subscriberPeer, response.json)
      return response
    },
  },
  {
    operation: DC_ESTABLISH,
    request: 'send_an_offer',
    responses: [{status: '200', name: 'send_an_offer'}],
    run: async (w, body) => {
      const pc = loopbackPeer()
      w.cleanup.push(() => pc.close())
      pc.createDataChannel('server-events', {negotiated: true, id: 0})
      await pc.setLocalDescription(await pc.createOffer())
      return raw(
        w.emulator,
        'POST',
        `${base(await newSession(w))}/datachannels/establish`,
        withSdp(body as Json, localDescription(pc).sdp),
      )
    },
  },
  ...(['local_datachannels', 'local_datachannels_unordered', 'local_datachannels_unreliable'] as const).map(
    (name): Case => ({
      operation: DC_NEW,
      request: name,
      responses: name === 'local_datachannels' ? [{status: '200', name: 'local_datachannels'}] : [],
      run: async (w, body) => raw(w.emulator, 'POST', `${base(w.publisher)}/datachannels/new`, body),
    }),
  ),
  ...(
    [
      'remote_datachannels',
      'remote_datachannels_can_reply',
      'remote_datachannels_unordered',
      'remote_datachannels_unreliable',
    ] as const
  ).map(
    (name): Case => ({
      operation: DC_NEW,
      request: name,
      responses: name === 'remote_datachannels' ? [{status: '200', name: 'remote_datachannels'}] : [],
      run: async (w, body) =>
        raw(w.emulator, 'POST', `${base(w.subscriber)}/datachannels/new`, live(body as Json, w.publisher)),
    }),
  ),
  ...(['grant_can_reply', 'revoke_can_reply'] as const).map(
    (name): Case => ({
      operation: 'PUT /apps/{appId}/sessions/{sessionId}/datachannels/update',
      request: name,
      responses: name === 'grant_can_reply' ? [{status: '200', name: 'grant_can_reply'}] : [],
      run: async (w, body) =>
        raw(w.emulator, 'PUT', `${base(w.subscriber)}/datachannels/update`, live(body as Json, w.publisher)),
    }),
  ),
  {
    operation: 'GET /apps/{appId}/sessions/{sessionId}',
    responses: [{status: '200', name: 'example'}],
    run: async (w) => raw(w.emulator, 'GET', base(w.subscriber)),
  },
  {
    operation: 'PUT /apps/{appId}/sessions/{sessionId}/datachannels/close',
    request: 'example',
    responses: [{status: '200', name: 'example'}],
    run: async (w, body) => raw(w.emulator, 'PUT', `${base(w.subscriber)}/datachannels/close`, body),
  },
  {
    operation: CLOSE,
    request: 'negotiated',
    responses: [{status: '200', name: 'negotiated'}],
    run: async (w, body) => {
      const publisher = createPublisher(['vp8'])
      w.cleanup.push(() => publisher.stop())
      const session = await newSession(w)
      const push = await w.client.pushTracks(session, {
        offer: await publisher.offer(),
        tracks: [{mid: '0', trackName: 'n'}],
      })
      await publisher.pc.setRemoteDescription(push.answer)
      await waitForConnected(publisher.pc, 10_000)
      publisher.pc.getTransceivers()[0]?.stop()
      await publisher.pc.setLocalDescription(await publisher.pc.createOffer())
      const request = withSdp(body as Json, localDescription(publisher.pc).sdp) as {tracks: {mid: string}[]}
      request.tracks = [{mid: '0'}]
      return raw(w.emulator, 'PUT', `${base(session)}/tracks/close`, request as unknown as Json)
    },
  },
  {
    operation: CLOSE,
    request: 'forced',
    responses: [{status: '200', name: 'forced'}],
    run: async (w, body) => {
      const session = await newSession(w)
      await w.client.newTracks(session, {
        tracks: PUBLISHED.slice(0, 3).map(([trackName]) => ({location: 'remote', sessionId: w.publisher, trackName})),
      })
      return raw(w.emulator, 'PUT', `${base(session)}/tracks/close`, body)
    },
  },
  {
    operation: CLOSE,
    responses: [
      {status: '200', name: 'already_closed'},
      {status: '200', name: 'mixed'},
    ],
    // The shared subscriber's pulled track (mid 1) closes; mid 7 does not exist.
    run: async (w) => {
      const mid = (await w.client.getSession(w.subscriber)).tracks?.find((t) => t.location === 'remote')?.mid as string
      return raw(w.emulator, 'PUT', `${base(w.subscriber)}/tracks/close`, {tracks: [{mid}, {mid: '7'}], force: true})
    },
  },
  ...(['local_ingest', 'remote_stream_audio', 'remote_stream_video'] as const).map(
    (name): Case => ({
      operation: ADAPTERS_NEW,
      request: name,
      responses: name === 'remote_stream_audio' ? [{status: '503', name: 'example'}] : [],
      deviation:
        name === 'remote_stream_audio'
          ? undefined
          : {status: 503, why: 'the emulator opens no WebSocket adapters: the documented all-failed 503'},
      run: async (w, body) => raw(w.emulator, 'POST', `/apps/${APP.id}/adapters/websocket/new`, body),
    }),
  ),
  {
    operation: ADAPTERS_NEW,
    responses: [{status: '400', name: 'example'}],
    run: async (w) => raw(w.emulator, 'POST', `/apps/${APP.id}/adapters/websocket/new`, {tracks: 'camera'}),
  },
  {
    operation: ADAPTERS_NEW,
    responses: [{status: '406', name: 'example'}],
    run: async (w) => raw(w.emulator, 'POST', `/apps/${APP.id}/adapters/websocket/new`, {tracks: []}),
  },
  {
    operation: ADAPTERS_CLOSE,
    request: 'example',
    responses: [{status: '200', name: 'already_closed'}],
    run: async (w, body) => raw(w.emulator, 'POST', `/apps/${APP.id}/adapters/websocket/close`, body),
  },
  {
    operation: ADAPTERS_CLOSE,
    responses: [{status: '400', name: 'example'}],
    run: async (w) => raw(w.emulator, 'POST', `/apps/${APP.id}/adapters/websocket/close`, {tracks: [{adapterId: 7}]}),
  },
  {
    operation: ADAPTERS_CLOSE,
    responses: [{status: '406', name: 'example'}],
    run: async (w) => raw(w.emulator, 'POST', `/apps/${APP.id}/adapters/websocket/close`, {tracks: []}),
  },
]

/** Response examples the emulator does not produce, and why. */
const NOT_PRODUCED: Record<string, string> = {
  [`${ADAPTERS_NEW} 200 local_ingest`]: 'needs a reachable public WebSocket endpoint and PCM transcoding',
  [`${ADAPTERS_NEW} 200 remote_stream`]: 'needs a reachable public WebSocket endpoint and transcoding',
  [`${ADAPTERS_NEW} 200 partial_success`]: 'needs a reachable public WebSocket endpoint',
  [`${ADAPTERS_CLOSE} 200 closed`]: 'bytesProcessed exists only for adapters that ran',
  [`${ADAPTERS_CLOSE} 200 partial_success`]: 'an internal_error inside Cloudflare',
  [`${ADAPTERS_CLOSE} 503 example`]: 'every close failing inside Cloudflare',
}

let world: World

beforeAll(async () => {
  const emulator = await startEmulator()
  const client = clientFor(emulator)
  const publisherPeer = createPublisher(PUBLISHED.map(([, codec]) => codec))
  const {sessionId: publisher} = await client.newSession()
  const push = await client.pushTracks(publisher, {
    offer: await publisherPeer.offer(),
    tracks: publisherPeer.mids.map((mid, i) => ({mid, trackName: PUBLISHED[i]?.[0] as string})),
  })
  await publisherPeer.pc.setRemoteDescription(push.answer)
  await waitForConnected(publisherPeer.pc, 10_000)
  await waitFor(
    () =>
      emulator
        .inspect()
        .find((s) => s.sessionId === publisher)
        ?.tracks.every((t) => t.packets > 0) ?? false,
    'media on every published track',
  )
  // The publisher's DataChannel transport (for the remote DataChannel examples).
  const established = await raw(emulator, 'POST', `${base(publisher)}/datachannels/establish`, {
    dataChannel: {location: 'remote', dataChannelName: 'server-events'},
  })
  publisherPeer.pc.createDataChannel('server-events', {negotiated: true, id: 0})
  const offer = established.json['sessionDescription'] as {type: 'offer'; sdp: string}
  await client.renegotiate(publisher, await answerWith(publisherPeer.pc)(offer))
  // The shared subscriber: connected, with a bidirectional local track named mic-1.
  const subscriberPeer = loopbackPeer()
  const {sessionId: subscriber} = await client.newSession()
  const offered = await client.newTracks(subscriber, {
    tracks: [{location: 'local', trackName: 'mic-1', kind: 'audio', bidirectionalMediaStream: true}],
  })
  await client.renegotiate(
    subscriber,
    await answerWith(subscriberPeer)(offered.sessionDescription as {type: 'offer'; sdp: string}),
  )
  await waitForConnected(subscriberPeer, 10_000)
  world = {emulator, client, publisher, publisherPeer, subscriber, subscriberPeer, cleanup: []}
})

afterAll(async () => {
  for (const task of world.cleanup) await task()
  await world.publisherPeer.stop()
  await world.subscriberPeer.close()
  await world.emulator.close()
})

describe('OpenAPI examples replayed against the emulator', () => {
  it('covers every example in the file', () => {
    const covered = new Set<string>()
    for (const c of CASES) {
      if (c.request) covered.add(`${c.operation} request ${c.request}`)
      for (const r of c.responses) covered.add(`${c.operation} ${r.status} ${r.name}`)
    }
    for (const key of Object.keys(NOT_PRODUCED)) covered.add(key)
    expect([...covered].sort()).toEqual(allExamples())
  })

  it.each(
    CASES.map(
      (c) =>
        [`${c.operation} ${c.request ?? c.responses.map((r) => `→ ${r.status} ${r.name}`).join(', ')}`, c] as const,
    ),
  )('%s', async (_name, c) => {
    const [method, path] = c.operation.split(' ') as [string, string]
    const body = c.request
      ? examplesOf(spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json'])[c.request]
      : undefined
    const actual = await c.run(world, body)
    const status = c.deviation?.status ?? Number(c.responses[0]?.status ?? 200)
    expect(actual.status, JSON.stringify(actual.json)).toBe(status)
    if (c.deviation?.errorCode) expect(JSON.stringify(actual.json)).toContain(c.deviation.errorCode)
    const got = shape(actual.json as Json)
    for (const response of c.responses) {
      const example = examplesOf(responseMedia(path, method, response.status))[response.name] as Json
      for (const [field, type] of shape(example)) {
        expect(got.get(field), `${response.name}: field ${field}`).toBe(type)
      }
    }
    const schema = responseMedia(path, method, String(status))?.schema
    if (schema) {
      const documented = schemaPaths(schema)
      for (const field of got.keys()) expect(documented.has(field), `undocumented field ${field}`).toBe(true)
    }
  })
})
