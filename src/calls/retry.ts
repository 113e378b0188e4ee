/**
 * The retry policy of the Calls client: which failures are retried, and how long to wait between tries.
 * Delays use exponential backoff with "equal jitter" (half fixed, half random) and honour Retry-After,
 * always bounded by `maxDelayMs`. Randomness and sleeping are injected so tests run instantly.
 */
import {type CallsError, neverSent, RETRYABLE_ERROR_CODES} from './calls-errors.js'

export interface RetryPolicy {
  /** Tries per request for retryable failures, the first one included. Default 4. */
  attempts: number
  /** First backoff delay. Default 250 ms. */
  baseDelayMs: number
  /** Largest single delay (also caps Retry-After). Default 4000 ms. */
  maxDelayMs: number
  /**
   * How long (sum of backoff delays) a pull keeps retrying `not_found_track_error` / `empty_track_error`
   * while the publisher connects and starts sending. Default 10000 ms.
   */
  trackWaitMs: number
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  trackWaitMs: 10_000,
}

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = {...DEFAULT_RETRY_POLICY, ...overrides}
  return {
    attempts: Math.max(1, Math.floor(policy.attempts)),
    baseDelayMs: Math.max(0, policy.baseDelayMs),
    maxDelayMs: Math.max(0, policy.maxDelayMs),
    trackWaitMs: Math.max(0, policy.trackWaitMs),
  }
}

/**
 * The delay before retry number `retry` (1 = the first retry): min(max, base·2^(retry-1)), half of it
 * fixed and half random. A server's Retry-After wins when given, capped at `maxDelayMs`.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(policy.maxDelayMs, Math.round(retryAfterMs))
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1))
  const jitter = Math.min(1, Math.max(0, random()))
  return Math.round(ceiling / 2 + (jitter * ceiling) / 2)
}

/** Retry-After: delta seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * Whether a failed request may be tried again. `idempotent` requests (GET, sessions/new, forced close)
 * are also retried after timeouts and resets; mutations only when the request never left this machine or
 * the server said so (429, 5xx, 425, a retryable error code).
 */
export function isRetryable(error: CallsError, idempotent: boolean): boolean {
  switch (error.failure) {
    case 'rate_limited':
    case 'server':
    case 'session_not_ready':
      return true
    case 'transport':
      if (error.code === 'E_ABORTED' || error.code === 'E_TLS') return false
      return idempotent || neverSent(error)
    default:
      return error.errorCode !== undefined && RETRYABLE_ERROR_CODES.has(error.errorCode)
  }
}
