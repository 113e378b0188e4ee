/**
 * What every diagnose check shares: the bounds (the whole, each step), Ctrl-C, and how a check is tracked and
 * concluded. A check that ends after Ctrl-C is `cancelled`; one that ran out of its share of the bound `unknown`.
 */
import type {AddressScope} from '../net/address-class.js'
import {type Check, type CheckFailure, type CheckOutcome, OUT_OF_TIME, runCheck, unconcluded} from '../report/check.js'
import {whipEndpointUrl} from '../whip/whip-endpoint.js'
import type {DiagnoseOptions} from './diagnose-types.js'
import {type CarrySetting, inheritAll, r58Command} from './fix-command.js'

export interface DiagnoseContext {
  options: DiagnoseOptions
  mediamtx: DiagnoseOptions['mediamtx']
  via: readonly AddressScope[] | undefined
  carry: CarrySetting
  /** Ctrl-C or the whole bound. */
  signal: AbortSignal
  /** Ctrl-C only. */
  user: AbortSignal | undefined
  /** Per-step deadline: what is left of the whole, at most stepTimeoutMs. */
  step(): number
  /** Runs one check within a step's budget, reporting progress, and concludes it. */
  track(id: string, title: string, body: (budgetMs: number) => Promise<CheckOutcome | CheckFailure>): Promise<Check>
  /** The WHIP endpoint of a probe path, `<path>-<suffix>`, never a live path. */
  endpoint(suffix: string, base?: string): string
  /** The `r58 mediamtx configure` command that makes a change (exact with --file, else described). */
  configureFix(change: string[]): {fix: string}
  /** Checks made after Ctrl-C (skips that depend on a cancelled one) concluded nothing either. */
  finish(check: Check): Check
}

export function createDiagnoseContext(options: DiagnoseOptions): DiagnoseContext {
  const total = options.timeoutMs ?? 10_000
  const deadline = AbortSignal.timeout(total)
  const user = options.signal
  const signal = user ? AbortSignal.any([user, deadline]) : deadline
  const started = Date.now()
  const maxStep = options.stepTimeoutMs ?? 4000
  /** When Ctrl-C stopped the run: checks made after it concluded nothing. */
  const stoppedAt = {cancelled: user?.aborted ? started : undefined}
  user?.addEventListener('abort', () => (stoppedAt.cancelled ??= Date.now()), {once: true})
  const step = () => Math.max(500, Math.min(maxStep, total - (Date.now() - started) - 250))
  const {mediamtx} = options
  /**
   * A check that ends after Ctrl-C concluded nothing: `cancelled`. One that failed after the whole bound
   * ran out, or that used up a share of it smaller than a step (a loaded machine), is `unknown`.
   */
  const conclude = (check: Check, budgetMs: number): Check => {
    if (check.status === 'pass') return check
    if (user?.aborted) return unconcluded(check, 'cancelled', 'cancelled (Ctrl-C) before it concluded')
    if (check.status === 'skip') return check
    const squeezed = budgetMs < maxStep && check.durationMs >= budgetMs - 50
    if (deadline.aborted || (check.status === 'fail' && squeezed)) {
      return unconcluded(check, 'unknown', `${OUT_OF_TIME}: ${budgetMs} ms were left of ${total} ms`)
    }
    return check
  }
  return {
    options,
    mediamtx,
    via: options.via,
    carry: options.carry ?? inheritAll,
    signal,
    user,
    step,
    track: async (id, title, body) => {
      const budget = step()
      options.onProgress?.({id, title, state: 'start'})
      const check = conclude(await runCheck(id, title, () => body(budget)), budget)
      options.onProgress?.({id, title, state: 'done'})
      return check
    },
    endpoint: (suffix, base = mediamtx.whipUrl) => whipEndpointUrl(base, `${mediamtx.path}-${suffix}`),
    configureFix: (change) => {
      if (mediamtx.configPath)
        return {fix: r58Command(['mediamtx', 'configure', '--file', mediamtx.configPath, ...change, '--write'])}
      return {
        fix: `Give diagnose the MediaMTX config file (--file) for the exact command; the change: r58 mediamtx configure ${change.join(' ')} --write`,
      }
    },
    finish: (check) =>
      stoppedAt.cancelled !== undefined &&
      check.status !== 'pass' &&
      check.status !== 'cancelled' &&
      Date.parse(check.startedAt) >= stoppedAt.cancelled
        ? unconcluded(check, 'cancelled', 'cancelled (Ctrl-C) before it concluded')
        : check,
  }
}
