import {describe, expect, it} from 'vitest'
import {CallsError, type CallsFailure} from '../../../src/calls/calls-errors.js'
import {backoffDelay, isRetryable, parseRetryAfter, retryPolicy} from '../../../src/calls/retry.js'
import {R58Error} from '../../../src/errors.js'

const policy = retryPolicy({baseDelayMs: 100, maxDelayMs: 1000})

describe('backoffDelay: exponential, half fixed and half random, capped', () => {
  it.each([
    {retry: 1, random: 0, want: 50},
    {retry: 1, random: 0.999999, want: 100},
    {retry: 2, random: 0, want: 100},
    {retry: 3, random: 0.5, want: 300},
    {retry: 4, random: 1, want: 800},
    {retry: 5, random: 1, want: 1000},
    {retry: 30, random: 0, want: 500},
  ])('retry $retry, random $random → $want ms', ({retry, random, want}) => {
    expect(backoffDelay(retry, policy, () => random)).toBe(want)
  })

  it.each([
    {retryAfter: 0, want: 0},
    {retryAfter: 300, want: 300},
    {retryAfter: 60_000, want: 1000},
  ])('Retry-After $retryAfter ms wins, capped at maxDelayMs → $want', ({retryAfter, want}) => {
    expect(backoffDelay(1, policy, () => 0.5, retryAfter)).toBe(want)
  })

  it('clamps a random source outside [0, 1)', () => {
    expect(backoffDelay(1, policy, () => 7)).toBe(100)
    expect(backoffDelay(1, policy, () => -3)).toBe(50)
  })
})

describe('parseRetryAfter', () => {
  it.each([
    {value: undefined, want: undefined},
    {value: '3', want: 3000},
    {value: ' 0 ', want: 0},
    {value: 'Wed, 21 Oct 2015 07:28:05 GMT', want: 5000},
    {value: 'Wed, 21 Oct 2015 07:27:00 GMT', want: 0},
    {value: 'soon', want: undefined},
  ])('$value → $want', ({value, want}) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(want)
  })
})

describe('retryPolicy', () => {
  it('fills defaults and clamps nonsense', () => {
    expect(retryPolicy()).toEqual({attempts: 4, baseDelayMs: 250, maxDelayMs: 4000, trackWaitMs: 10_000})
    expect(retryPolicy({attempts: 0, baseDelayMs: -5, trackWaitMs: -1})).toMatchObject({
      attempts: 1,
      baseDelayMs: 0,
      trackWaitMs: 0,
    })
  })
})

function error(failure: CallsFailure, extra: {code?: R58Error['code']; errorCode?: string; cause?: unknown} = {}) {
  return new CallsError(extra.code ?? 'E_PROTOCOL', 'x', {failure, errorCode: extra.errorCode}, {cause: extra.cause})
}
const refused = new R58Error('E_UNREACHABLE', 'refused', {cause: Object.assign(new Error('x'), {code: 'ECONNREFUSED'})})
const reset = new R58Error('E_UNREACHABLE', 'reset', {cause: Object.assign(new Error('x'), {code: 'ECONNRESET'})})

describe('isRetryable', () => {
  it.each([
    {what: '429', e: error('rate_limited'), idempotent: false, want: true},
    {what: '5xx', e: error('server'), idempotent: false, want: true},
    {what: '425 not ready', e: error('session_not_ready'), idempotent: false, want: true},
    {
      what: 'retryable code in a 4xx',
      e: error('invalid_request', {errorCode: 'retryable_transient_error'}),
      idempotent: false,
      want: true,
    },
    {what: '401', e: error('auth', {code: 'E_AUTH'}), idempotent: true, want: false},
    {what: '410 gone', e: error('session_gone'), idempotent: true, want: false},
    {what: '406 overlap', e: error('conflict'), idempotent: true, want: false},
    {what: 'per-track error', e: error('track', {errorCode: 'not_found_track_error'}), idempotent: true, want: false},
    {
      what: 'refused, mutation',
      e: error('transport', {code: 'E_UNREACHABLE', cause: refused}),
      idempotent: false,
      want: true,
    },
    {
      what: 'reset, mutation',
      e: error('transport', {code: 'E_UNREACHABLE', cause: reset}),
      idempotent: false,
      want: false,
    },
    {
      what: 'reset, idempotent',
      e: error('transport', {code: 'E_UNREACHABLE', cause: reset}),
      idempotent: true,
      want: true,
    },
    {what: 'timeout, mutation', e: error('transport', {code: 'E_TIMEOUT'}), idempotent: false, want: false},
    {what: 'timeout, idempotent', e: error('transport', {code: 'E_TIMEOUT'}), idempotent: true, want: true},
    {what: 'cancelled', e: error('transport', {code: 'E_ABORTED'}), idempotent: true, want: false},
    {what: 'TLS', e: error('transport', {code: 'E_TLS'}), idempotent: true, want: false},
  ])('$what (idempotent: $idempotent) → $want', ({e, idempotent, want}) => {
    expect(isRetryable(e, idempotent)).toBe(want)
  })
})
