/**
 * Named outcomes and failing steps of the STUN and TURN probes. A probe never reports "it failed": it says
 * which step failed (DNS, TCP connect, TLS handshake, no STUN answer, Allocate, …) and how.
 */
import {type ErrorCode, R58Error} from '../errors.js'
import type {Endpoint} from '../net/endpoint.js'
import type {FailureKind} from '../report/check.js'
import type {TlsInfo} from './link.js'
import type {StunErrorCode} from './message.js'

export type ProbeOutcome =
  | 'ok'
  /** DNS failed, connection refused, ICMP port unreachable. */
  | 'unreachable'
  /** A step got no answer within its timeout. */
  | 'timeout'
  /** The TLS handshake failed: certificate untrusted, wrong name, protocol error. */
  | 'tls-failed'
  /** 401 after an authenticated retry, or 441. */
  | 'auth-rejected'
  /** 403 Forbidden. */
  | 'forbidden'
  /** 486 Allocation Quota Reached. */
  | 'quota'
  /** 508 Insufficient Capacity. */
  | 'capacity'
  /** Any other error code, or an answer that breaks the protocol. */
  | 'error'
  /** Cancelled (Ctrl-C). */
  | 'aborted'

export type ProbeStep =
  | 'dns'
  | 'tcp-connect'
  | 'tls-handshake'
  | 'stun-response'
  | 'allocate'
  | 'permission'
  | 'echo'
  | 'refresh'

/** What the STUN and the TURN probe both report about one server URL on one transport. */
export interface ProbeTargetResult {
  url: string
  /** Check-id suffix (`udp`, `tcp`, `tls`, or with the port when several URLs share a transport). */
  id: string
  transport: 'udp' | 'tcp' | 'tls'
  host: string
  port: number
  outcome: ProbeOutcome
  /** The step that failed (absent when the probe worked). */
  step?: ProbeStep
  /** One line: what happened. */
  message: string
  hint?: string
  server?: Endpoint
  /** The local address and port used (for STUN over UDP: the shared socket). */
  local?: Endpoint
  tls?: TlsInfo
}

const OUTCOME_ERROR: Record<Exclude<ProbeOutcome, 'ok'>, ErrorCode> = {
  unreachable: 'E_UNREACHABLE',
  timeout: 'E_TIMEOUT',
  'tls-failed': 'E_TLS',
  'auth-rejected': 'E_AUTH',
  forbidden: 'E_CHECK_FAILED',
  quota: 'E_CHECK_FAILED',
  capacity: 'E_CHECK_FAILED',
  error: 'E_PROTOCOL',
  aborted: 'E_ABORTED',
}

/** How a failed outcome counts for the exit code: auth 5 > unreachable 4 > failed 3. */
export function failureKindOfOutcome(outcome: ProbeOutcome): FailureKind {
  switch (outcome) {
    case 'unreachable':
    case 'timeout':
    case 'tls-failed':
      return 'unreachable'
    case 'auth-rejected':
      return 'auth'
    default:
      return 'failed'
  }
}

/** A probe step that failed, with its named outcome. Caught by the probes and turned into report data. */
export class StepFailure extends R58Error {
  readonly step: ProbeStep
  readonly outcome: Exclude<ProbeOutcome, 'ok'>
  readonly stunError: StunErrorCode | undefined

  constructor(
    step: ProbeStep,
    outcome: Exclude<ProbeOutcome, 'ok'>,
    message: string,
    options: {hint?: string | undefined; cause?: unknown; stunError?: StunErrorCode} = {},
  ) {
    super(OUTCOME_ERROR[outcome], message, {hint: options.hint, cause: options.cause})
    this.step = step
    this.outcome = outcome
    this.stunError = options.stunError
  }
}

/** Any error met during a step, as a StepFailure of that step. */
export function asStepFailure(error: unknown, step: ProbeStep): StepFailure {
  if (error instanceof StepFailure) return error
  if (error instanceof R58Error) {
    const outcome: Exclude<ProbeOutcome, 'ok'> =
      error.code === 'E_TIMEOUT'
        ? 'timeout'
        : error.code === 'E_ABORTED'
          ? 'aborted'
          : error.code === 'E_UNREACHABLE'
            ? 'unreachable'
            : error.code === 'E_TLS'
              ? 'tls-failed'
              : error.code === 'E_AUTH'
                ? 'auth-rejected'
                : 'error'
    return new StepFailure(step, outcome, error.text, {hint: error.hint, cause: error})
  }
  const code = (error as {code?: unknown})?.code
  const text = error instanceof Error ? error.message : String(error)
  const outcome = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? 'unreachable' : 'error'
  return new StepFailure(step, outcome, `${step}: ${text}`, {cause: error})
}
