/** Option 1, LAN: this box publishes to MediaMTX on its own network; its answer is what later checks analyse. */
import type {Check} from '../report/check.js'
import {probeWhip, type WhipProbeReport} from '../whip/probe.js'
import type {DiagnoseContext} from './diagnose-context.js'
import {fromProbe} from './from-probe.js'

/** The LAN answer as the later checks see it. */
export interface LanAnswer {
  report: WhipProbeReport | undefined
  candidates: WhipProbeReport['candidates']
  /** MediaMTX itself did not answer over HTTP. */
  mediamtxDown: boolean
  /** Why a check that needs the answer was not run. */
  noAnswer: string
  /** The answer's candidates, `label (scope)`, once each. */
  advertised: string
  hostOnly: boolean
}

export async function checkLan(ctx: DiagnoseContext): Promise<{check: Check; report: WhipProbeReport | undefined}> {
  const {mediamtx} = ctx
  const apiForProbe = mediamtx.apiUrl
    ? {baseUrl: mediamtx.apiUrl, user: mediamtx.apiUser, password: mediamtx.apiPassword}
    : undefined
  let report: WhipProbeReport | undefined
  const check = await ctx.track('lan.whip', 'WHIP publish on the LAN', async (budget) => {
    report = await probeWhip({
      url: ctx.endpoint('lan'),
      token: mediamtx.token,
      durationMs: 300,
      timeoutMs: budget,
      via: ctx.via ?? ['this-host', 'lan'],
      iceServers: [],
      signal: ctx.signal,
      ...(apiForProbe && {mediamtxApi: apiForProbe}),
    })
    const outcome = fromProbe(report, `published to ${mediamtx.whipUrl}`, {role: 'lan'})
    if (outcome.status === 'fail' && unreachableStep(outcome)) {
      outcome.evidence = `MediaMTX is not reachable at ${mediamtx.whipUrl}: ${outcome.evidence}`
      outcome.fix =
        'Start MediaMTX on the box, or give its WHIP address with --mediamtx-url (and its API with --mediamtx-api-url).'
    }
    return outcome
  })
  return {check, report}
}

export function lanAnswer(ctx: DiagnoseContext, check: Check, report: WhipProbeReport | undefined): LanAnswer {
  const candidates = report?.candidates ?? []
  const mediamtxDown = check.status === 'fail' && unreachableStep(check)
  return {
    report,
    candidates,
    mediamtxDown,
    noAnswer: mediamtxDown
      ? `not checked: MediaMTX is not reachable at ${ctx.mediamtx.whipUrl} (see lan.whip)`
      : `no WHIP answer to analyse (lan.whip: ${check.status})`,
    advertised: [...new Set(candidates.map((c) => `${c.label} (${c.scope})`))].join(', '),
    hostOnly: candidates.length > 0 && candidates.every((c) => c.type === 'host'),
  }
}

/** The lan.whip failure that means MediaMTX itself did not answer over HTTP. */
function unreachableStep(check: Pick<Check, 'failure' | 'data'>): boolean {
  const step = (check.data as {failedStep?: string} | undefined)?.failedStep
  return check.failure === 'unreachable' && (step === 'whip.options' || step === 'whip.post')
}
