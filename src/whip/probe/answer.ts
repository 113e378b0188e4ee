/** Step 5, the answer: every candidate classified, which ones the probe will use, and the reachability verdict. */
import type {AddressScope} from '../../net/address-class.js'
import {type AnalyzedCandidate, type AnswerAnalysis, analyzeAnswer} from '../../sdp/analysis.js'
import {reachabilityVerdict} from '../../sdp/verdict.js'
import type {WhipSession} from '../whip-client.js'
import type {ProbeContext} from './probe-context.js'

/** Why the probe's peer will not use a candidate (undefined: it may). */
export function candidateSkipReason(
  c: Pick<AnalyzedCandidate, 'category' | 'scope' | 'transport' | 'documentation'>,
  via: readonly AddressScope[] | undefined,
): string | undefined {
  if (c.category === 'mdns') return 'mDNS name: not resolved (MediaMTX ignores them too)'
  if (c.category === 'hostname') return 'host name: not resolved by the probe'
  if (c.category === 'unspecified' || c.category === 'multicast') return 'not a unicast address'
  if (c.category === 'reserved') return 'reserved address (IANA special-purpose): never routable'
  if (c.documentation) return 'documentation address (TEST-NET): never routable'
  if (c.transport === 'tcp') return 'ICE-TCP: listed, not probed'
  if (via && !via.includes(c.scope)) return `outside --via ${via.join(',')}`
  return undefined
}

/** The analysis, or undefined when there is nothing to connect to (the probe stops). */
export async function analyseAnswer(ctx: ProbeContext, whip: WhipSession): Promise<AnswerAnalysis | undefined> {
  const {report} = ctx
  let analysis: AnswerAnalysis | undefined
  await ctx.run('whip.answer.candidates', async () => {
    analysis = analyzeAnswer(whip.answer)
    report.candidates = analysis.candidates.map((c) => {
      const reason = candidateSkipReason(c, ctx.via)
      return {...c, used: reason === undefined, skipReason: reason ?? null}
    })
    const verdict = reachabilityVerdict(analysis.candidates, {
      server: report.server.kind === 'mediamtx' ? 'MediaMTX' : 'The server',
    })
    report.verdict = verdict
    const count = `${analysis.candidates.length} candidate(s)`
    if (analysis.candidates.length === 0) {
      return {
        status: 'fail',
        evidence: 'the answer has no a=candidate line: no guest can connect (WHIP servers send a complete answer)',
        ...(verdict.fix !== null && {fix: verdict.fix}),
      }
    }
    const status = verdict.scope === 'anywhere' ? 'pass' : verdict.scope === 'none' ? 'fail' : 'warn'
    const outcome = {
      evidence: `${count}; ${verdict.text}`,
      ...(verdict.fix !== null && {fix: verdict.fix}),
      data: {scope: verdict.scope},
    }
    return status === 'fail' ? {status, ...outcome} : {status, ...outcome}
  })
  if (!analysis) {
    ctx.stopReason = 'the answer could not be read'
    return undefined
  }
  if (analysis.candidates.length === 0) {
    ctx.stopReason = 'the answer has no candidate'
    return undefined
  }
  return analysis
}
