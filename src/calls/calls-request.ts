/**
 * The request plumbing of the Calls client: one HTTPS request to `{apiBase}/apps/{appId}/…` with the app
 * secret as bearer token, its response checked (HTTP status, top-level `errorCode`, a JSON object), retried
 * with bounded, jittered backoff when the failure is retryable. The secret goes into the Authorization header
 * and nowhere else: every error built here is given it to redact.
 */
import {isR58Error, R58Error} from '../errors.js'
import {headerValue, httpRequest} from '../net/http.js'
import {type Log, silentLog} from '../util/log.js'
import type {CallsClientOptions} from './calls-client.js'
import {
  type CallsError,
  callsErrorFromResponse,
  callsProtocolError,
  callsTrackError,
  callsTransportError,
  isCallsError,
} from './calls-errors.js'
import {DEFAULT_CALLS_API_BASE, type SessionDescription, type TrackResult} from './calls-types.js'
import {backoffDelay, isRetryable, parseRetryAfter, type RetryPolicy, retryPolicy} from './retry.js'

export interface SendInput {
  method: 'GET' | 'POST' | 'PUT'
  /** Relative to `{apiBase}/apps/{appId}/`. */
  path: string
  query?: Record<string, string>
  body?: unknown
  /** Safe to repeat after a timeout or reset. */
  idempotent: boolean
  signal?: AbortSignal | undefined
}

export class CallsRequester {
  readonly appId: string
  readonly apiBase: string
  readonly policy: RetryPolicy
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly random: () => number
  readonly log: Log
  readonly #secret: string
  readonly #timeoutMs: number
  readonly #dispatcher: CallsClientOptions['dispatcher']

  constructor(options: CallsClientOptions) {
    this.appId = options.appId
    this.apiBase = (options.apiBase ?? DEFAULT_CALLS_API_BASE).replace(/\/+$/, '')
    this.policy = retryPolicy(options.retry)
    this.sleep = options.sleep ?? defaultSleep
    this.random = options.random ?? Math.random
    this.log = options.log ?? silentLog
    this.#secret = options.appSecret
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#dispatcher = options.dispatcher
  }

  /** Sends the request, retrying retryable failures up to the policy's attempts. */
  async send<T>(input: SendInput): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once<T>(input, attempt)
      } catch (error) {
        if (!isCallsError(error) || attempt >= this.policy.attempts || !isRetryable(error, input.idempotent)) {
          throw error
        }
        const delay = backoffDelay(attempt, this.policy, this.random, error.retryAfterMs)
        this.log({
          level: 'warn',
          event: 'calls.retry',
          msg: `${error.text}; retry ${attempt} of ${this.policy.attempts - 1} in ${delay} ms`,
          attempt,
          delayMs: delay,
          failure: error.failure,
          ...(error.status !== undefined && {status: error.status}),
          ...(error.errorCode !== undefined && {errorCode: error.errorCode}),
        })
        await this.sleep(delay, input.signal)
      }
    }
  }

  /** Throws a CallsError naming every track (or DataChannel) item that carries an `errorCode`. */
  throwOnTrackErrors(step: string, tracks: TrackResult[] | undefined, response: unknown): void {
    const failed = (tracks ?? []).filter((t) => t.errorCode !== undefined)
    if (failed.length > 0) throw callsTrackError(step, failed, response, this.#secret)
  }

  /** The response's sessionDescription, which must be of `type`. */
  requireDescription(
    step: string,
    response: {sessionDescription?: SessionDescription},
    type: SessionDescription['type'],
  ): SessionDescription {
    const description = response.sessionDescription
    if (description?.type !== type || typeof description.sdp !== 'string') {
      throw this.protocolError(step, `expected a sessionDescription of type "${type}"`, response)
    }
    return description
  }

  protocolError(step: string, what: string, response: unknown): CallsError {
    return callsProtocolError(step, what, response, this.#secret)
  }

  async #once<T>(input: SendInput, attempt: number): Promise<T> {
    const url = new URL(`${this.apiBase}/apps/${encodeURIComponent(this.appId)}/${input.path}`)
    for (const [key, value] of Object.entries(input.query ?? {})) url.searchParams.set(key, value)
    const step = `Calls ${input.method} ${input.path.replace(/^sessions\/(?!new$)[^/]+/, 'sessions/{id}')}`
    const started = performance.now()
    let response: Awaited<ReturnType<typeof httpRequest>>
    try {
      response = await httpRequest(url, {
        method: input.method,
        headers: {
          authorization: `Bearer ${this.#secret}`,
          ...(input.body !== undefined && {'content-type': 'application/json'}),
        },
        ...(input.body !== undefined && {body: JSON.stringify(input.body)}),
        timeoutMs: this.#timeoutMs,
        maxBodyBytes: 4 * 1024 * 1024,
        step,
        ...(input.signal && {signal: input.signal}),
        ...(this.#dispatcher && {dispatcher: this.#dispatcher}),
      })
    } catch (error) {
      if (isR58Error(error)) throw callsTransportError(error, this.#secret)
      throw error
    }
    this.log({
      level: 'debug',
      event: 'calls.request',
      msg: `${input.method} ${url.pathname} → ${response.status}`,
      method: input.method,
      path: url.pathname,
      status: response.status,
      attempt,
      durationMs: Math.round(performance.now() - started),
    })
    return this.#checked<T>(step, response)
  }

  /** The response's JSON object; a non-2xx status or a top-level errorCode becomes a CallsError. */
  #checked<T>(step: string, response: Awaited<ReturnType<typeof httpRequest>>): T {
    let body: unknown
    if (response.body.trim().length > 0) {
      try {
        body = JSON.parse(response.body)
      } catch {
        body = undefined
      }
    }
    const object = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as T) : undefined
    const errorBody = object as {errorCode?: unknown; errorDescription?: unknown} | undefined
    if (response.status < 200 || response.status >= 300 || typeof errorBody?.errorCode === 'string') {
      const retryAfter = parseRetryAfter(headerValue(response, 'retry-after'))
      throw callsErrorFromResponse(step, response.status, errorBody, this.#secret, retryAfter)
    }
    if (object === undefined) {
      throw callsProtocolError(
        step,
        `the response is not a JSON object: ${JSON.stringify(response.body.slice(0, 80))}`,
        body,
        this.#secret,
      )
    }
    return object
  }
}

/**
 * Waits between retries. Unlike util/abort's sleep the timer is not unref'd: a CLI whose only pending work
 * is a retry must not exit in the middle of it.
 */
function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new R58Error('E_ABORTED', 'cancelled')
    if (signal?.aborted) {
      reject(aborted())
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(aborted())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
