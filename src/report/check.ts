/**
 * Checks: the unit of every report (probe, diagnose, mediamtx check, calls check).
 *
 * After tailscale's netcheck: a check is plain data, and "not checked" (skip) is a value of its own, never
 * shown as a failure. A failed check says *why* through `failure`, which decides the exit code.
 */
import {EXIT, type ExitCode, isR58Error, isUnreachableError, type R58Error} from '../errors.js'

/**
 * `cancelled`: stopped by Ctrl-C before it concluded. `unknown`: ran out of its share of the time bound
 * (raise --timeout). Neither is a failure, and neither decides anything: nothing was concluded.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'cancelled' | 'unknown'

/** Why a check failed; maps onto the exit-code table. */
export type FailureKind = 'failed' | 'unreachable' | 'auth' | 'config'

export interface Check {
  /** Stable, dotted identifier, e.g. `turn.allocate.udp`. Part of the JSON contract. */
  id: string
  /** Short human label. */
  title: string
  status: CheckStatus
  /** Present when status is `fail`. */
  failure?: FailureKind
  /** One line of evidence: what was observed (or why it was skipped). */
  evidence: string
  /** The fix, ideally an exact r58 command. */
  fix?: string
  /** ISO time the check started. */
  startedAt: string
  durationMs: number
  /** Check-specific structured data. */
  data?: Record<string, unknown>
}

const FAILURE_EXIT: Record<FailureKind, ExitCode> = {
  failed: EXIT.checkFailed,
  unreachable: EXIT.unreachable,
  auth: EXIT.auth,
  config: EXIT.config,
}

/** Most specific first: a rejected credential is the most actionable thing to report. */
const FAILURE_PRECEDENCE: FailureKind[] = ['config', 'auth', 'unreachable', 'failed']

export function failureKindOf(error: R58Error): FailureKind {
  switch (error.exitCode) {
    case EXIT.unreachable:
      return 'unreachable'
    case EXIT.auth:
      return 'auth'
    case EXIT.config:
      return 'config'
    default:
      return 'failed'
  }
}

/**
 * The exit code of a set of checks: 130 when any was cancelled (the report is partial); 0 when none failed;
 * otherwise the exit class of the most specific failure (config 6 > auth 5 > unreachable 4 > failed 3).
 * Warnings, skips and `unknown` (out of time) never fail.
 */
export function exitCodeOf(checks: readonly Pick<Check, 'status' | 'failure'>[]): ExitCode {
  if (checks.some((c) => c.status === 'cancelled')) return EXIT.interrupted
  const kinds = new Set(checks.filter((c) => c.status === 'fail').map((c) => c.failure ?? 'failed'))
  if (kinds.size === 0) return EXIT.ok
  for (const kind of FAILURE_PRECEDENCE) if (kinds.has(kind)) return FAILURE_EXIT[kind]
  return EXIT.checkFailed
}

export function isOk(checks: readonly Pick<Check, 'status'>[]): boolean {
  return checks.every((c) => c.status !== 'fail' && c.status !== 'cancelled')
}

/** Evidence of a check that ran out of its share of the time bound. */
export const OUT_OF_TIME = 'out of time (raise --timeout)'

/**
 * The same check, concluded as `cancelled` (Ctrl-C) or `unknown` (out of time): whatever it had observed
 * so far stays in the evidence, its failure kind and fix go (nothing was concluded).
 */
export function unconcluded(check: Check, status: 'cancelled' | 'unknown', why: string): Check {
  const {failure: _failure, fix: _fix, ...rest} = check
  return {...rest, status, evidence: `${why}; so far: ${check.evidence}`}
}

export interface CheckOutcome {
  status: Exclude<CheckStatus, 'fail'>
  evidence: string
  fix?: string
  data?: Record<string, unknown>
}

export interface CheckFailure {
  status: 'fail'
  failure?: FailureKind
  evidence: string
  fix?: string
  data?: Record<string, unknown>
}

export interface RunCheckOptions {
  now?: () => number
}

/**
 * Runs one check and always returns data: an R58Error becomes a failed check with the error's class,
 * a network error becomes `unreachable`, anything else is a bug and is rethrown.
 */
export async function runCheck(
  id: string,
  title: string,
  body: () => Promise<CheckOutcome | CheckFailure>,
  options: RunCheckOptions = {},
): Promise<Check> {
  const now = options.now ?? Date.now
  const started = now()
  const startedAt = new Date(started).toISOString()
  const finish = (outcome: CheckOutcome | CheckFailure): Check => {
    const check: Check = {
      id,
      title,
      status: outcome.status,
      evidence: outcome.evidence,
      startedAt,
      durationMs: Math.max(0, now() - started),
    }
    if (outcome.status === 'fail') check.failure = outcome.failure ?? 'failed'
    if (outcome.fix !== undefined) check.fix = outcome.fix
    if (outcome.data !== undefined) check.data = outcome.data
    return check
  }
  try {
    return finish(await body())
  } catch (error) {
    if (isR58Error(error)) {
      const failed: CheckFailure = {status: 'fail', failure: failureKindOf(error), evidence: error.text}
      if (error.hint !== undefined) failed.fix = error.hint
      return finish(failed)
    }
    if (isUnreachableError(error)) {
      return finish({status: 'fail', failure: 'unreachable', evidence: (error as Error).message})
    }
    throw error
  }
}

/** A check that was not run, with the reason ("not configured", "not applicable"). */
export function skippedCheck(id: string, title: string, reason: string, fix?: string): Check {
  const check: Check = {
    id,
    title,
    status: 'skip',
    evidence: reason,
    startedAt: new Date().toISOString(),
    durationMs: 0,
  }
  if (fix !== undefined) check.fix = fix
  return check
}
