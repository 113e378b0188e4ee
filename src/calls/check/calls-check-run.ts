/**
 * What every step of `calls check` shares: the client, the peers and sessions made so far, the checks, and a
 * recorder of what the service did that the client absorbed.
 */
import {randomBytes} from 'node:crypto'
import type {RTCPeerConnection} from 'werift'
import type {PeerOptions} from '../../media/peer.js'
import type {SyntheticSource} from '../../media/synthetic.js'
import {isLoopbackAddress} from '../../net/address-class.js'
import {type Check, type CheckFailure, type CheckOutcome, runCheck, skippedCheck} from '../../report/check.js'
import {type Log, silentLog} from '../../util/log.js'
import {CallsClient} from '../calls-client.js'
import {DEFAULT_CALLS_API_BASE} from '../calls-types.js'
import type {CallsCheckMedia, CallsCheckOptions} from './calls-check-types.js'

const CHECKS = {
  session: ['calls.session.new', 'Create a session'],
  push: ['calls.push', 'Push a synthetic VP8 track'],
  pull: ['calls.pull', 'Pull it into a second session'],
  media: ['calls.media', 'RTP arrives at the subscriber'],
  close: ['calls.close', 'Close the tracks'],
} as const

export type CallsCheckStep = keyof typeof CHECKS

/** How long Calls may hold a request while it waits for a connection (docs/calls-api.md "Timings and limits"). */
const SERVICE_BLOCK_MS = 5000

type ServiceRecorder = ReturnType<typeof serviceRecorder>

export interface CallsCheckRun {
  apiBase: string
  appId: string
  client: CallsClient
  service: ServiceRecorder
  peerOptions: PeerOptions
  /** Deadline of each step. */
  timeoutMs: number
  /** RTP packets the subscriber must receive. */
  wanted: number
  trackName: string
  signal: AbortSignal | undefined
  checks: Check[]
  /** Set as the steps create them; closed at the end whatever happened. */
  source?: SyntheticSource | undefined
  publisher?: RTCPeerConnection | undefined
  subscriber?: RTCPeerConnection | undefined
  publisherSession?: string | undefined
  publisherMid?: string | undefined
  subscriberSession?: string | undefined
  subscriberMid?: string | undefined
  media: CallsCheckMedia | null
}

export function createCallsCheckRun(options: CallsCheckOptions): CallsCheckRun {
  const apiBase = (options.apiBase ?? DEFAULT_CALLS_API_BASE).replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 10_000
  const service = serviceRecorder(options.log ?? silentLog)
  const client = new CallsClient({
    appId: options.appId,
    appSecret: options.appSecret,
    apiBase,
    // Calls holds a request up to 5 s while it waits for a connection: never time out before that.
    timeoutMs: Math.max(timeoutMs, SERVICE_BLOCK_MS + 3000),
    log: service.log,
    retry: {attempts: 3, trackWaitMs: timeoutMs, ...options.retry},
    ...(options.dispatcher && {dispatcher: options.dispatcher}),
  })
  return {
    apiBase,
    appId: options.appId,
    client,
    service,
    peerOptions: options.peer ?? defaultPeerOptions(apiBase),
    timeoutMs,
    wanted: options.packets ?? 30,
    trackName: `r58-check-${randomBytes(4).toString('hex')}`,
    signal: options.signal,
    checks: [],
    media: null,
  }
}

/** Runs the step's check and records it. */
export async function runStep(
  run: CallsCheckRun,
  step: CallsCheckStep,
  body: () => Promise<CheckOutcome | CheckFailure>,
): Promise<void> {
  run.checks.push(await runCheck(CHECKS[step][0], CHECKS[step][1], body))
}

/** Records the step as skipped, and why. */
export function skipStep(run: CallsCheckRun, step: CallsCheckStep, reason: string): void {
  run.checks.push(skippedCheck(CHECKS[step][0], CHECKS[step][1], reason))
}

/** `; what the service did` for an evidence line, or ''. */
export function serviceNote(happened: readonly string[]): string {
  return happened.length > 0 ? `; ${happened.join('; ')}` : ''
}

/**
 * What the service did that the client absorbed (retries after 429/425/5xx, waits for the publisher), as
 * sentences for the report: a pass that needed retries says so.
 */
function serviceRecorder(log: Log) {
  const events: string[] = []
  return {
    log: ((event) => {
      if (event.event === 'calls.retry') {
        const what = event['status'] === undefined ? String(event['failure']) : `HTTP ${event['status']}`
        const code = event['errorCode'] === undefined ? '' : ` ${event['errorCode']}`
        events.push(`${what}${code}, retried after ${event['delayMs']} ms`)
      } else if (event.event === 'calls.pull.wait') {
        events.push(`${event['errorCode']} (publisher not ready), pulled again after ${event['delayMs']} ms`)
      }
      log(event)
    }) satisfies Log,
    note: (sentence: string) => events.push(sentence),
    mark: () => events.length,
    since: (mark: number) => events.slice(mark),
  }
}

function defaultPeerOptions(apiBase: string): PeerOptions {
  let host = ''
  try {
    host = new URL(apiBase).hostname.replace(/^\[|\]$/g, '')
  } catch {
    // invalid URLs fail in the first request
  }
  if (host === 'localhost' || isLoopbackAddress(host)) return {hostAddresses: ['127.0.0.1']}
  return {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]}
}
