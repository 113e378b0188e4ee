/**
 * Error mapping of the Calls API: an HTTP status, a top-level `errorCode` or a per-track `errorCode`
 * becomes a CallsError (an R58Error, so its code decides the exit class) that says what failed, what the
 * API answered, and what to do. The app secret never appears in a CallsError: every text taken from a
 * response is scrubbed of it.
 */
import {type ErrorCode, R58Error, systemErrorCode} from '../errors.js'
import type {TrackResult} from './calls-types.js'

/** What kind of failure, independent of the exit class: drives retries and the caller's reaction. */
export type CallsFailure =
  /** 401/403: the app secret was rejected. */
  | 'auth'
  /** 404 `not_found`: no such app id. */
  | 'app_not_found'
  /** 410 `session_error` (or 404 for an unknown session): create a new session and negotiate again. */
  | 'session_gone'
  /** 425 `session_error`: the session's connection is not established yet. */
  | 'session_not_ready'
  /** 406 on overlapping mutations of one session. */
  | 'conflict'
  /** 400/406/413: the request itself was refused (decoding_error, invalid_params, invalid_session_description, payload_too_large). */
  | 'invalid_request'
  /** HTTP 200 with failed items (not_found_track_error, …). */
  | 'track'
  /** 429. */
  | 'rate_limited'
  /** 5xx or a service-side error code. */
  | 'server'
  /** The answer is not what the API documents. */
  | 'protocol'
  /** DNS, TCP, TLS, timeout or cancellation (from the HTTP layer). */
  | 'transport'

export interface CallsErrorDetails {
  failure: CallsFailure
  status?: number | undefined
  /** The API's error code (top level, or the first failed item's). */
  errorCode?: string | undefined
  /** Failed items, for per-track errors. */
  failedTracks?: TrackResult[]
  /** The parsed response body, when there was one. */
  response?: unknown
  /** From a Retry-After header. */
  retryAfterMs?: number | undefined
}

export class CallsError extends R58Error {
  readonly failure: CallsFailure
  readonly status: number | undefined
  readonly errorCode: string | undefined
  readonly failedTracks: TrackResult[]
  readonly response: unknown
  readonly retryAfterMs: number | undefined

  constructor(
    code: ErrorCode,
    message: string,
    details: CallsErrorDetails,
    options: {hint?: string | undefined; field?: string | undefined; cause?: unknown} = {},
  ) {
    super(code, message, options)
    this.failure = details.failure
    this.status = details.status
    this.errorCode = details.errorCode
    this.failedTracks = details.failedTracks ?? []
    this.response = details.response
    this.retryAfterMs = details.retryAfterMs
  }
}

export function isCallsError(value: unknown): value is CallsError {
  return value instanceof CallsError
}

/** True when the session is gone (410 `session_error`): the caller must create a new one and re-push/re-pull. */
export function isSessionGone(error: unknown): boolean {
  return isCallsError(error) && error.failure === 'session_gone'
}

/** Error codes the API documents as service-side and retryable. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'retryable_transient_error',
  'temporarily_unavailable_error',
  'transport_unavailable_error',
  'backend_error',
  'internal_error',
])

/** Per-track codes that mean "the publisher is not sending yet": retried for a bounded time when pulling. */
export const PUBLISHER_PENDING_CODES: ReadonlySet<string> = new Set(['not_found_track_error', 'empty_track_error'])

/** Removes the secret (and its URL-encoded form) from text that came from the network. */
export function scrub(text: string, secret: string): string {
  if (secret.length === 0) return text
  let out = text.split(secret).join('<redacted>')
  const encoded = encodeURIComponent(secret)
  if (encoded !== secret) out = out.split(encoded).join('<redacted>')
  return out
}

/** A deep copy of a parsed response with every string scrubbed of the secret. */
export function scrubDeep<T>(value: T, secret: string): T {
  if (typeof value === 'string') return scrub(value, secret) as T
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, secret)) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = scrubDeep(item, secret)
    return out as T
  }
  return value
}

export interface ApiErrorBody {
  errorCode?: unknown
  errorDescription?: unknown
}

function describe(body: ApiErrorBody | undefined): {errorCode?: string; description?: string} {
  const out: {errorCode?: string; description?: string} = {}
  if (typeof body?.errorCode === 'string') out.errorCode = body.errorCode
  if (typeof body?.errorDescription === 'string') out.description = body.errorDescription.slice(0, 300)
  return out
}

const HINTS: Partial<Record<CallsFailure, string>> = {
  auth: 'Check the app secret (--calls-app-secret-file or R58_CALLS_APP_SECRET_FILE): it is the bearer token shown with the app id in the Cloudflare dashboard.',
  app_not_found: 'Check the app id (--calls-app-id or R58_CALLS_APP_ID) and the API base (--calls-api-base).',
  session_gone:
    'The session expired or its connection closed: create a new session, push again, and pull from the new session id.',
  session_not_ready: 'Apply the previous answer and wait for the connection before the next request on this session.',
  conflict: 'Finish each offer/answer exchange before the next request on the same session.',
  rate_limited: 'Slow down: the API allows 50 requests per second per session.',
}

/**
 * The CallsError for a non-2xx response, or for a 2xx response with a top-level `errorCode`.
 * `step` names the request (`POST sessions/new`).
 */
export function callsErrorFromResponse(
  step: string,
  status: number,
  body: ApiErrorBody | undefined,
  secret: string,
  retryAfterMs?: number,
): CallsError {
  const {errorCode, description} = describe(body)
  const said = [errorCode, description].filter(Boolean).join(': ')
  const text = scrub(`${step}: HTTP ${status}${said ? ` ${said}` : ''}`, secret)
  const details = (failure: CallsFailure): CallsErrorDetails => ({
    failure,
    status,
    errorCode,
    response: scrubDeep(body, secret),
    retryAfterMs,
  })
  const make = (code: ErrorCode, failure: CallsFailure, field?: string) =>
    new CallsError(code, text, details(failure), {hint: HINTS[failure], field})
  if (status === 401 || status === 403 || errorCode === 'unauthorized') return make('E_AUTH', 'auth', 'calls.appSecret')
  if (errorCode === 'session_error' && status === 425) return make('E_PROTOCOL', 'session_not_ready')
  if (errorCode === 'session_error' || status === 410) return make('E_PROTOCOL', 'session_gone')
  if (status === 404 || errorCode === 'not_found') return make('E_AUTH', 'app_not_found', 'calls.appId')
  if (status === 429) return make('E_PROTOCOL', 'rate_limited')
  // 406 is both "overlapping mutation" (no documented code) and invalid_params.
  if (status === 406 && errorCode !== 'invalid_params') return make('E_PROTOCOL', 'conflict')
  if (status >= 500 || (errorCode !== undefined && RETRYABLE_ERROR_CODES.has(errorCode))) {
    return make(status === 502 || status === 503 || status === 504 ? 'E_UNREACHABLE' : 'E_PROTOCOL', 'server')
  }
  if (status >= 400) return make('E_PROTOCOL', 'invalid_request')
  return make('E_PROTOCOL', 'protocol')
}

/** The response is not what the API documents (no sessionId, no answer, not JSON). */
export function callsProtocolError(step: string, what: string, response: unknown, secret: string): CallsError {
  return new CallsError('E_PROTOCOL', scrub(`${step}: ${what}`, secret), {
    failure: 'protocol',
    response: scrubDeep(response, secret),
  })
}

/** A CallsError for failed items in an HTTP 200 (not_found_track_error, close failures, …). */
export function callsTrackError(step: string, failed: TrackResult[], response: unknown, secret: string): CallsError {
  const first = failed[0]
  const names = failed
    .map(
      (t) =>
        `${t.trackName ?? t.mid ?? '?'}: ${t.errorCode ?? 'error'}${t.errorDescription ? ` (${t.errorDescription})` : ''}`,
    )
    .join('; ')
  const pending = failed.every((t) => PUBLISHER_PENDING_CODES.has(t.errorCode ?? ''))
  return new CallsError(
    'E_CHECK_FAILED',
    scrub(`${step}: ${failed.length} track(s) failed: ${names}`, secret),
    {
      failure: 'track',
      status: 200,
      errorCode: first?.errorCode,
      failedTracks: scrubDeep(failed, secret),
      response: scrubDeep(response, secret),
    },
    {
      hint: pending
        ? 'The publisher is not connected or not sending yet: check its session id and track name, and that media flows.'
        : undefined,
    },
  )
}

/** Wraps a transport failure (an R58Error from the HTTP layer) as a CallsError of the same class. */
export function callsTransportError(error: R58Error, secret: string): CallsError {
  return new CallsError(
    error.code,
    scrub(error.text, secret),
    {failure: 'transport'},
    {hint: error.hint === undefined ? undefined : scrub(error.hint, secret), cause: error},
  )
}

/** True when the request can never have reached the server (DNS failure, connection refused). */
export function neverSent(error: CallsError): boolean {
  // The cause is the HTTP layer's R58Error (code E_…); the system error is its cause.
  let cause: unknown = error.cause
  while (cause instanceof R58Error) cause = cause.cause
  const code = systemErrorCode(cause)
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT'
}
