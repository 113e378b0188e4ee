import {describe, expect, it} from 'vitest'
import {
  callsErrorFromResponse,
  callsTrackError,
  callsTransportError,
  isSessionGone,
  scrub,
} from '../../../src/calls/calls-errors.js'
import {R58Error} from '../../../src/errors.js'

const SECRET = 'the-app-secret-123'

describe('callsErrorFromResponse maps statuses and error codes', () => {
  it.each([
    {status: 401, errorCode: 'unauthorized', code: 'E_AUTH', failure: 'auth', field: 'calls.appSecret'},
    {status: 403, errorCode: undefined, code: 'E_AUTH', failure: 'auth', field: 'calls.appSecret'},
    {status: 404, errorCode: 'not_found', code: 'E_AUTH', failure: 'app_not_found', field: 'calls.appId'},
    {status: 410, errorCode: 'session_error', code: 'E_PROTOCOL', failure: 'session_gone'},
    {status: 404, errorCode: 'session_error', code: 'E_PROTOCOL', failure: 'session_gone'},
    {status: 425, errorCode: 'session_error', code: 'E_PROTOCOL', failure: 'session_not_ready'},
    {status: 406, errorCode: undefined, code: 'E_PROTOCOL', failure: 'conflict'},
    {status: 406, errorCode: 'invalid_params', code: 'E_PROTOCOL', failure: 'invalid_request'},
    {status: 400, errorCode: 'decoding_error', code: 'E_PROTOCOL', failure: 'invalid_request'},
    {status: 413, errorCode: 'payload_too_large', code: 'E_PROTOCOL', failure: 'invalid_request'},
    {status: 429, errorCode: undefined, code: 'E_PROTOCOL', failure: 'rate_limited'},
    {status: 500, errorCode: 'internal_error', code: 'E_PROTOCOL', failure: 'server'},
    {status: 503, errorCode: undefined, code: 'E_UNREACHABLE', failure: 'server'},
    {status: 502, errorCode: undefined, code: 'E_UNREACHABLE', failure: 'server'},
    {status: 200, errorCode: 'backend_error', code: 'E_PROTOCOL', failure: 'server'},
    {status: 200, errorCode: 'something_new', code: 'E_PROTOCOL', failure: 'protocol'},
  ])('HTTP $status $errorCode → $code ($failure)', ({status, errorCode, code, failure, field}) => {
    const error = callsErrorFromResponse('Calls PUT x', status, {errorCode, errorDescription: 'why'}, SECRET)
    expect(error).toMatchObject({code, failure, status, errorCode})
    if (field) expect(error.field).toBe(field)
    expect(error.text).toContain(`HTTP ${status}`)
  })

  it('never carries the secret, even when the server echoes it', () => {
    const echoed = {
      errorCode: 'unauthorized',
      errorDescription: `bad token Bearer ${SECRET} (${encodeURIComponent(SECRET)})`,
    }
    const error = callsErrorFromResponse('Calls POST sessions/new', 401, echoed, SECRET)
    expect(`${error.message} ${error.hint}`).not.toContain(SECRET)
    expect(error.message).toContain('<redacted>')
  })

  it('recognises a gone session', () => {
    expect(isSessionGone(callsErrorFromResponse('x', 410, {errorCode: 'session_error'}, SECRET))).toBe(true)
    expect(isSessionGone(callsErrorFromResponse('x', 401, {}, SECRET))).toBe(false)
    expect(isSessionGone(new Error('x'))).toBe(false)
  })
})

describe('callsTrackError', () => {
  it('lists failed tracks, and hints at a publisher that is not sending', () => {
    const error = callsTrackError(
      'POST tracks/new',
      [
        {trackName: 'cam', errorCode: 'not_found_track_error', errorDescription: 'Track not found'},
        {trackName: 'mic', errorCode: 'empty_track_error'},
      ],
      {},
      SECRET,
    )
    expect(error).toMatchObject({code: 'E_CHECK_FAILED', failure: 'track', errorCode: 'not_found_track_error'})
    expect(error.failedTracks).toHaveLength(2)
    expect(error.text).toContain('cam: not_found_track_error')
    expect(error.hint).toMatch(/publisher/)
  })

  it('gives no publisher hint for other errors', () => {
    expect(callsTrackError('x', [{mid: '1', errorCode: 'internal_error'}], {}, SECRET).hint).toBeUndefined()
  })
})

describe('scrub and transport errors', () => {
  it.each([
    {text: `a ${SECRET} b`, want: 'a <redacted> b'},
    {text: 'nothing here', want: 'nothing here'},
  ])('scrub($text)', ({text, want}) => {
    expect(scrub(text, SECRET)).toBe(want)
  })

  it('keeps the transport error class', () => {
    const error = callsTransportError(new R58Error('E_TIMEOUT', `no answer (${SECRET})`), SECRET)
    expect(error).toMatchObject({code: 'E_TIMEOUT', failure: 'transport'})
    expect(error.text).not.toContain(SECRET)
  })
})
