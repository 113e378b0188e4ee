/**
 * The client against the emulator's documented error paths: each status and error code, as the client
 * surfaces it (CallsError with the right exit class and failure kind, never carrying the secret).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CallsClient} from '../../../../src/calls/calls-client.js'
import {type CallsError, isCallsError, isSessionGone} from '../../../../src/calls/calls-errors.js'
import {waitForConnected} from '../../../../src/media/peer.js'
import type {CallsEmulator} from '../../../../src/sim/calls-sfu/sfu-server.js'
import {APP, clientFor, createPublisher, pushConnected, raw, startEmulator, waitFor} from '../../../support/calls.js'

let emulator: CallsEmulator
let client: CallsClient

beforeAll(async () => {
  emulator = await startEmulator({connectWaitMs: 1500, unconnectedExpiryMs: 60_000})
  client = clientFor(emulator, {retry: {attempts: 1, trackWaitMs: 0}})
})
afterAll(() => emulator.close())

async function failure(work: Promise<unknown>): Promise<CallsError> {
  try {
    await work
  } catch (error) {
    if (isCallsError(error)) {
      expect(`${error.message} ${error.hint ?? ''}`).not.toContain(APP.secret)
      return error
    }
    throw error
  }
  throw new Error('expected a CallsError')
}

describe('authentication', () => {
  it('401 unauthorized for a wrong secret → E_AUTH (exit 5), secret not echoed', async () => {
    const wrong = new CallsClient({appId: APP.id, appSecret: 'not-the-secret', apiBase: emulator.apiBase})
    const error = await failure(wrong.newSession())
    expect(error).toMatchObject({code: 'E_AUTH', failure: 'auth', status: 401, errorCode: 'unauthorized'})
    expect(error.exitCode).toBe(5)
    expect(error.message).not.toContain('not-the-secret')
  })

  it('404 not_found for an unknown app → E_AUTH with the app id as the field', async () => {
    const other = new CallsClient({appId: 'no-such-app', appSecret: APP.secret, apiBase: emulator.apiBase})
    const error = await failure(other.newSession())
    expect(error).toMatchObject({code: 'E_AUTH', failure: 'app_not_found', status: 404, errorCode: 'not_found'})
    expect(error.field).toBe('calls.appId')
  })

  it('401 without any Authorization header', async () => {
    const response = await fetch(`${emulator.apiBase}/apps/${APP.id}/sessions/new`, {method: 'POST'})
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({errorCode: 'unauthorized'})
  })
})

describe('sessions', () => {
  it('404 session_error for a session that never existed → session gone', async () => {
    const error = await failure(client.getSession('0123456789abcdef0123456789abcdef'))
    expect(error).toMatchObject({status: 404, errorCode: 'session_error'})
    expect(isSessionGone(error)).toBe(true)
  })

  it('410 session_error once a never-connected session expired → isSessionGone', async () => {
    let now = Date.now()
    const expiring = await startEmulator({unconnectedExpiryMs: 1000, now: () => now})
    try {
      const c = clientFor(expiring)
      const {sessionId} = await c.newSession()
      now += 5000
      expiring.sweep()
      const error = await failure(c.getSession(sessionId))
      expect(error).toMatchObject({status: 410, errorCode: 'session_error', failure: 'session_gone'})
      expect(isSessionGone(error)).toBe(true)
      expect(error.hint).toMatch(/new session/)
    } finally {
      await expiring.close()
    }
  })

  it('406 on an overlapping mutation, and 425 when the session never connects', async () => {
    const publisher = createPublisher(['vp8'])
    try {
      const {sessionId} = await client.newSession()
      // Negotiated but the answer is never applied: the next mutation waits for the connection…
      await client.pushTracks(sessionId, {offer: await publisher.offer(), tracks: [{mid: '0', trackName: 'a'}]})
      const body = {tracks: [{location: 'local', trackName: 'b', kind: 'video'}]}
      const first = raw(emulator, 'POST', `/apps/${APP.id}/sessions/${sessionId}/tracks/new`, body)
      await new Promise((resolve) => setTimeout(resolve, 100))
      // …so a second one overlaps it: 406.
      const second = await raw(emulator, 'POST', `/apps/${APP.id}/sessions/${sessionId}/tracks/new`, body)
      expect(second.status).toBe(406)
      const conflict = await failure(clientFor(emulator, {retry: {attempts: 1}}).newTracks(sessionId, body as never))
      expect(conflict.failure).toBe('conflict')
      // The first gives up after connectWaitMs: 425 session_error.
      expect((await first).status).toBe(425)
      expect((await first).json).toMatchObject({errorCode: 'session_error'})
    } finally {
      await publisher.stop()
    }
  })

  it('406 while an SFU offer waits for its answer, and 400 for an answer without an offer', async () => {
    const publisher = createPublisher(['vp8'])
    try {
      const {sessionId} = await client.newSession()
      const answer = {
        type: 'answer' as const,
        sdp: (await publisher.offer()).sdp.replace('a=setup:actpass', 'a=setup:active'),
      }
      const stray = await failure(client.renegotiate(sessionId, answer))
      expect(stray).toMatchObject({status: 400, errorCode: 'invalid_session_description', failure: 'invalid_request'})
      await client.newTracks(sessionId, {tracks: [{location: 'local', trackName: 'x', kind: 'video'}]})
      const busy = await failure(
        client.newTracks(sessionId, {tracks: [{location: 'local', trackName: 'y', kind: 'audio'}]}),
      )
      expect(busy).toMatchObject({status: 406, failure: 'conflict'})
    } finally {
      await publisher.stop()
    }
  })
})

describe('tracks', () => {
  it('not_found_track_error before the publisher sends media; the pull succeeds once it does', async () => {
    const publisher = createPublisher(['vp8'])
    try {
      const {sessionId} = await client.newSession()
      const push = await client.pushTracks(sessionId, {
        offer: await publisher.offer(),
        tracks: [{mid: '0', trackName: 'cam'}],
      })
      const subscriber = await client.newSession()
      const early = await failure(client.pullTracks(subscriber.sessionId, {tracks: [{sessionId, trackName: 'cam'}]}))
      expect(early).toMatchObject({code: 'E_CHECK_FAILED', failure: 'track', errorCode: 'not_found_track_error'})
      expect(early.failedTracks[0]).toMatchObject({sessionId, trackName: 'cam', mid: ''})
      expect(early.hint).toMatch(/publisher/)

      // A client that waits: it retries (with its own sleep) until the publisher is connected and sending.
      const sleeps: number[] = []
      const patient = clientFor(emulator, {
        retry: {trackWaitMs: 60_000},
        sleep: async (ms) => {
          sleeps.push(ms)
          await new Promise((resolve) => setTimeout(resolve, 20))
        },
      })
      const pulling = patient.pullTracks(subscriber.sessionId, {tracks: [{sessionId, trackName: 'cam'}]})
      await waitFor(() => sleeps.length > 0, 'a retry while the publisher is down')
      await publisher.pc.setRemoteDescription(push.answer)
      await waitForConnected(publisher.pc, 10_000)
      const pulled = await pulling
      expect(pulled.requiresImmediateRenegotiation).toBe(true)
      expect(pulled.attempts).toBeGreaterThan(1)
    } finally {
      await publisher.stop()
    }
  })

  it('empty_track_error when the publisher stopped sending (before collection)', async () => {
    let now = Date.now()
    const clocked = await startEmulator({now: () => now})
    const publisher = createPublisher(['vp8'])
    try {
      const c = clientFor(clocked, {retry: {attempts: 1, trackWaitMs: 0}})
      const sessionId = await pushConnected(c, publisher)
      await waitFor(() => (clocked.inspect()[0]?.tracks[0]?.packets ?? 0) > 0, 'media at the emulator')
      for (const source of publisher.sources) source.stop()
      now += 15_000
      const subscriber = await c.newSession()
      const error = await failure(c.pullTracks(subscriber.sessionId, {tracks: [{sessionId, trackName: 'cam'}]}))
      expect(error.errorCode).toBe('empty_track_error')
    } finally {
      await publisher.stop()
      await clocked.close()
    }
  })

  it('close_track_error for an unknown mid counts as already closed', async () => {
    const {sessionId} = await client.newSession()
    expect(await client.closeTracks(sessionId, {mids: ['7']})).toEqual({tracks: [{mid: '7', alreadyClosed: true}]})
    const response = await raw(emulator, 'PUT', `/apps/${APP.id}/sessions/${sessionId}/tracks/close`, {
      tracks: [{mid: '7'}],
      force: true,
    })
    expect(response.json).toEqual({
      requiresImmediateRenegotiation: false,
      tracks: [
        {mid: '7', errorCode: 'close_track_error', errorDescription: "Track doesn't exist or was already closed"},
      ],
    })
  })

  it.each([
    {
      what: 'a misspelled field (trackname)',
      body: {tracks: [{location: 'local', mid: '0', trackname: 'cam', kind: 'video'}]},
      status: 400,
      errorCode: 'decoding_error',
      description: /JSON body validation error: tracks\[0\]\."trackname" is not a field \(did you mean "trackName"\?\)/,
    },
    {
      what: 'malformed JSON',
      body: '{"tracks": [',
      status: 400,
      errorCode: 'decoding_error',
      description: /not valid JSON/,
    },
    {
      what: 'mixed local and remote tracks',
      body: {
        tracks: [
          {location: 'local', trackName: 'a', kind: 'audio'},
          {location: 'remote', sessionId: 'x', trackName: 'b'},
        ],
      },
      status: 406,
      errorCode: 'invalid_params',
      description: /local, or every entry remote/,
    },
    {
      what: 'more than 64 tracks',
      body: {tracks: Array.from({length: 65}, (_, i) => ({location: 'local', trackName: `t${i}`, kind: 'audio'}))},
      status: 406,
      errorCode: 'invalid_params',
      description: /at most 64/,
    },
    {
      what: 'an SDP that is not WebRTC',
      body: {
        sessionDescription: {
          type: 'offer',
          sdp: 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111\r\na=mid:0\r\n',
        },
        autoDiscover: true,
      },
      status: 400,
      errorCode: 'invalid_session_description',
      description: /RTP\/SAVPF/,
    },
    {
      what: 'a body over the size limit',
      body: {sessionDescription: {type: 'offer', sdp: 'x'.repeat(300 * 1024)}},
      status: 413,
      errorCode: 'payload_too_large',
      description: /exceeds/,
    },
  ])('$what → $status $errorCode', async ({body, status, errorCode, description}) => {
    const {sessionId} = await client.newSession()
    const response = await raw(emulator, 'POST', `/apps/${APP.id}/sessions/${sessionId}/tracks/new`, body)
    expect(response.status).toBe(status)
    expect(response.json['errorCode']).toBe(errorCode)
    expect(String(response.json['errorDescription'])).toMatch(description)
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('maps a decoding_error from the typed client too', async () => {
    const {sessionId} = await client.newSession()
    const error = await failure(
      client.newTracks(sessionId, {tracks: [{location: 'local', mid: '0', trackname: 'x'} as never]}),
    )
    expect(error).toMatchObject({
      status: 400,
      errorCode: 'decoding_error',
      failure: 'invalid_request',
      code: 'E_PROTOCOL',
    })
  })
})

describe('HTTP edges', () => {
  it('answers CORS preflights, 405 for a wrong method and 404 for unknown paths', async () => {
    const preflight = await fetch(`${emulator.apiBase}/apps/${APP.id}/sessions/new`, {method: 'OPTIONS'})
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization')
    const wrongMethod = await raw(emulator, 'GET', `/apps/${APP.id}/sessions/new`)
    expect(wrongMethod.status).toBe(405)
    const unknown = await raw(emulator, 'GET', '/nope')
    expect(unknown.status).toBe(404)
  })

  it('refuses adapters it cannot open with the documented 503 shape, and closes idempotently', async () => {
    const created = await raw(emulator, 'POST', `/apps/${APP.id}/adapters/websocket/new`, {
      tracks: [
        {location: 'remote', sessionId: 's', trackName: 't', endpoint: 'wss://example.invalid/x', outputCodec: 'pcm'},
      ],
    })
    expect(created.status).toBe(503)
    expect(created.json).toMatchObject({tracks: [{trackName: 't', errorCode: 'websocket_handshake_failed'}]})
    const tooMany = await raw(emulator, 'POST', `/apps/${APP.id}/adapters/websocket/new`, {tracks: []})
    expect(tooMany.status).toBe(406)
    const closed = await raw(emulator, 'POST', `/apps/${APP.id}/adapters/websocket/close`, {
      tracks: [{adapterId: 'a1'}],
    })
    expect(closed).toMatchObject({status: 200, json: {tracks: [{adapterId: 'a1'}]}})
  })
})
