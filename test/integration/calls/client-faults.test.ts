/**
 * The client against a local server that injects failures: 429 with Retry-After, 5xx, retryable error
 * codes, hanging and reset connections, refused connections, malformed answers, secret echoes, and
 * overlapping requests. Sleeping and jitter are injected, so no test waits for a real backoff.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {CallsClient, type CallsClientOptions} from '../../../src/calls/calls-client.js'
import {type CallsError, isCallsError} from '../../../src/calls/calls-errors.js'
import type {LogEvent} from '../../../src/util/log.js'
import {closedPort, type LoopbackServer, startHttpServer} from '../../support/http-server.js'

const SECRET = 'fault-test-secret-abcdef0123456789'

type Step = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>
let script: Step[] = []
let seen: {method: string; url: string; body: string; auth: string | undefined}[] = []
let server: LoopbackServer
let sleeps: number[] = []
let events: LogEvent[] = []

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, {'content-type': 'application/json', ...headers}).end(JSON.stringify(body))
  }
const hang: Step = () => new Promise(() => {})
const reset: Step = (req) => {
  req.socket.destroy()
}

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString()
    seen.push({method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization})
    const step = script.shift() ?? json(500, {errorCode: 'internal_error', errorDescription: 'script exhausted'})
    await step(req, res, body)
  })
})
afterAll(() => server.close())
beforeEach(() => {
  script = []
  seen = []
  sleeps = []
  events = []
})

function client(options: Partial<CallsClientOptions> = {}): CallsClient {
  return new CallsClient({
    appId: 'app',
    appSecret: SECRET,
    apiBase: `${server.url}/v1`,
    timeoutMs: 300,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    log: (event) => events.push(event),
    ...options,
  })
}

async function failure(work: Promise<unknown>): Promise<CallsError> {
  try {
    await work
  } catch (error) {
    if (isCallsError(error)) return error
    throw error
  }
  throw new Error('expected a CallsError')
}

afterAll(() => {
  // Nothing any test logged or threw carried the secret.
  expect(JSON.stringify(events)).not.toContain(SECRET)
})

describe('retries', () => {
  it('honours Retry-After on 429, then succeeds', async () => {
    script = [json(429, {}, {'retry-after': '2'}), json(201, {sessionId: 's1'})]
    expect(await client().newSession()).toEqual({sessionId: 's1'})
    expect(sleeps).toEqual([2000])
    expect(events.filter((e) => e.event === 'calls.retry')).toHaveLength(1)
  })

  it('backs off with jitter on 5xx and gives up after the bounded attempts (503 → E_UNREACHABLE)', async () => {
    script = Array.from({length: 4}, () => json(503, {errorCode: 'temporarily_unavailable_error'}))
    const error = await failure(client().getSession('s1'))
    expect(error).toMatchObject({code: 'E_UNREACHABLE', failure: 'server', status: 503})
    expect(seen).toHaveLength(4)
    expect(sleeps).toEqual([188, 375, 750])
  })

  it.each([
    {what: '500 internal_error', first: json(500, {errorCode: 'internal_error', errorDescription: 'Backend error'})},
    {what: '502 without a body', first: json(502, undefined)},
    {what: 'a retryable code inside HTTP 200', first: json(200, {errorCode: 'retryable_transient_error'})},
    {what: '425 session not ready', first: json(425, {errorCode: 'session_error'})},
  ])('retries $what, even for a mutation', async ({first}) => {
    script = [first, json(200, {})]
    expect(await client().renegotiate('s1', {type: 'answer', sdp: 'v=0'})).toEqual({})
    expect(seen).toHaveLength(2)
  })

  it('500 after every attempt → E_PROTOCOL', async () => {
    script = Array.from({length: 2}, () => json(500, {errorCode: 'internal_error'}))
    const error = await failure(client({retry: {attempts: 2}}).getSession('s1'))
    expect(error).toMatchObject({code: 'E_PROTOCOL', failure: 'server'})
  })

  it('retries a timed-out GET, but not a timed-out mutation', async () => {
    script = [hang, json(200, {tracks: []})]
    expect(await client().getSession('s1')).toEqual({tracks: []})
    expect(seen).toHaveLength(2)
    seen = []
    script = [hang]
    const error = await failure(client().newTracks('s1', {tracks: [{location: 'local', mid: '0', trackName: 'x'}]}))
    expect(error).toMatchObject({code: 'E_TIMEOUT', failure: 'transport'})
    expect(seen).toHaveLength(1)
  })

  it('retries a reset connection only when the request is idempotent', async () => {
    script = [reset, json(201, {sessionId: 's2'})]
    expect((await client().newSession()).sessionId).toBe('s2')
    script = [reset]
    const error = await failure(client().renegotiate('s1', {type: 'answer', sdp: 'v=0'}))
    expect(error).toMatchObject({code: 'E_UNREACHABLE', failure: 'transport'})
  })

  it('retries a refused connection (never sent), then reports E_UNREACHABLE', async () => {
    const port = await closedPort()
    const c = client({apiBase: `http://127.0.0.1:${port}/v1`, retry: {attempts: 3}})
    const error = await failure(c.newTracks('s1', {tracks: [{location: 'local', mid: '0', trackName: 'x'}]}))
    expect(error).toMatchObject({code: 'E_UNREACHABLE', failure: 'transport'})
    expect(error.exitCode).toBe(4)
    expect(sleeps).toHaveLength(2)
  })

  it('does not retry 401, 406 or 410', async () => {
    for (const [status, body] of [
      [401, {errorCode: 'unauthorized'}],
      [406, {}],
      [410, {errorCode: 'session_error'}],
    ] as const) {
      script = [json(status, body)]
      seen = []
      await failure(client().getSession('s1'))
      expect(seen).toHaveLength(1)
    }
    expect(sleeps).toEqual([])
  })
})

describe('responses are checked', () => {
  it.each([
    {
      what: 'not JSON',
      step: (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(201).end('<html>'),
      want: /not a JSON object/,
    },
    {what: 'no sessionId', step: json(201, {}), want: /no "sessionId"/},
  ])('sessions/new answering $what → E_PROTOCOL', async ({step, want}) => {
    script = [step as Step]
    const error = await failure(client().newSession())
    expect(error).toMatchObject({code: 'E_PROTOCOL', failure: 'protocol'})
    expect(error.message).toMatch(want)
  })

  it('a push whose answer is missing → E_PROTOCOL', async () => {
    script = [json(200, {requiresImmediateRenegotiation: false, tracks: [{mid: '0', trackName: 'a'}]})]
    const error = await failure(
      client().pushTracks('s1', {offer: {type: 'offer', sdp: 'v=0'}, tracks: [{mid: '0', trackName: 'a'}]}),
    )
    expect(error.message).toMatch(/sessionDescription of type "answer"/)
  })

  it('a per-track error inside HTTP 200 is an error', async () => {
    script = [
      json(200, {
        requiresImmediateRenegotiation: false,
        tracks: [
          {mid: '0', trackName: 'a'},
          {mid: '1', trackName: 'b', errorCode: 'internal_error', errorDescription: 'Backend error'},
        ],
      }),
    ]
    const error = await failure(
      client().newTracks('s1', {
        tracks: [
          {location: 'local', mid: '0', trackName: 'a'},
          {location: 'local', mid: '1', trackName: 'b'},
        ],
      }),
    )
    expect(error).toMatchObject({failure: 'track', errorCode: 'internal_error'})
    expect(error.failedTracks.map((t) => t.trackName)).toEqual(['b'])
  })

  it('a mixed close: close_track_error counts as closed, other item errors throw', async () => {
    script = [
      json(200, {tracks: [{mid: '0'}, {mid: '1', errorCode: 'close_track_error'}]}),
      json(200, {tracks: [{mid: '0'}, {mid: '2', errorCode: 'internal_error'}]}),
    ]
    expect(await client().closeTracks('s1', {mids: ['0', '1']})).toEqual({
      tracks: [
        {mid: '0', alreadyClosed: false},
        {mid: '1', alreadyClosed: true},
      ],
    })
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({tracks: [{mid: '0'}, {mid: '1'}], force: true})
    await failure(client().closeTracks('s1', {mids: ['0', '2']}))
  })

  it('never lets the secret into an error, even when the server echoes the Authorization header', async () => {
    script = [
      (req, res) => {
        res.writeHead(401, {'content-type': 'application/json'})
        res.end(JSON.stringify({errorCode: 'unauthorized', errorDescription: `got ${req.headers.authorization}`}))
      },
    ]
    const error = await failure(client().newSession())
    expect(seen[0]?.auth).toBe(`Bearer ${SECRET}`)
    expect(`${error.message}${error.hint}${error.stack}${JSON.stringify(error.response)}`).not.toContain(SECRET)
  })
})

describe('requests', () => {
  it('passes thirdparty and correlationId as query parameters, and the body only when given', async () => {
    script = [json(201, {sessionId: 's1'})]
    await client().newSession({thirdparty: true, correlationId: 'relay guest 1'})
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/apps/app/sessions/new?thirdparty=true&correlationId=relay+guest+1',
      body: '',
    })
  })

  it('serialises mutations of one session, and runs different sessions in parallel', async () => {
    let running = 0
    let most = 0
    const slow: Step = async (_req, res) => {
      running += 1
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, 30))
      running -= 1
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({tracks: []}))
    }
    const c = client()
    const update = (session: string) => c.updateTracks(session, {tracks: []})
    script = [slow, slow, slow]
    await Promise.all([update('same'), update('same'), update('same')])
    expect(most).toBe(1)
    script = [slow, slow]
    most = 0
    await Promise.all([update('one'), update('two')])
    expect(most).toBe(2)
  })
})

describe('pulls wait for the publisher within a budget', () => {
  const notFound = json(200, {
    requiresImmediateRenegotiation: false,
    tracks: [{sessionId: 'pub', trackName: 'cam', mid: '', errorCode: 'not_found_track_error'}],
  })

  it('retries not_found_track_error, then answers the SFU offer and renegotiates inside the same turn', async () => {
    script = [
      notFound,
      notFound,
      json(200, {
        requiresImmediateRenegotiation: true,
        tracks: [{sessionId: 'pub', trackName: 'cam', mid: '0'}],
        sessionDescription: {type: 'offer', sdp: 'v=0 offer'},
      }),
      json(200, {}),
    ]
    const result = await client().pullTracks('sub', {
      tracks: [{sessionId: 'pub', trackName: 'cam'}],
      answer: async (offer) => ({type: 'answer', sdp: `answer to ${offer.sdp}`}),
    })
    expect(result).toMatchObject({attempts: 3, tracks: [{mid: '0'}], requiresImmediateRenegotiation: false})
    expect(sleeps).toEqual([188, 375])
    expect(seen.map((r) => `${r.method} ${r.url}`).at(-1)).toBe('PUT /v1/apps/app/sessions/sub/renegotiate')
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({
      sessionDescription: {type: 'answer', sdp: 'answer to v=0 offer'},
    })
  })

  it('gives up when the budget is spent', async () => {
    script = Array.from({length: 10}, () => notFound)
    const error = await failure(
      client({retry: {trackWaitMs: 500}}).pullTracks('sub', {tracks: [{sessionId: 'pub', trackName: 'cam'}]}),
    )
    expect(error).toMatchObject({failure: 'track', errorCode: 'not_found_track_error', code: 'E_CHECK_FAILED'})
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(500)
  })
})
