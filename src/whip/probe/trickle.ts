/** Step 4b, trickle: the offer's candidates PATCHed as an SDP fragment (RFC 9725 §4.3.1), and what it tells. */
import {R58Error} from '../../errors.js'
import {buildTrickleFragment} from '../sdpfrag.js'
import {type WhipSession, whipPatch} from '../whip-client.js'
import type {ProbeOffer} from './offer.js'
import type {ProbeContext} from './probe-context.js'

/** PATCHes the fragment; returns a note for the POST check and whether the session URL failed. */
export async function trickle(
  ctx: ProbeContext,
  s: WhipSession,
  offer: ProbeOffer,
): Promise<{note: string; rejected: boolean}> {
  const ours = offer.parsed
  const first = ours.media[0]
  const fragment = buildTrickleFragment({
    ufrag: ours.iceUfrag ?? '',
    pwd: ours.icePwd ?? '',
    sections: [
      {
        kind: first?.kind ?? 'audio',
        mid: first?.mid ?? '0',
        candidates: ours.candidates.filter((c) => c.mLineIndex === 0).map((c) => c.line),
      },
    ],
    end: true,
  })
  const patch = await whipPatch(s, fragment, ctx.request).catch((error: unknown) => {
    if (error instanceof R58Error && error.exitCode === 5) throw error
    return {
      status: 0,
      outcome: 'rejected' as const,
      message: error instanceof Error ? error.message : String(error),
      durationMs: 0,
    }
  })
  ctx.report.server.trickle = {status: patch.status, outcome: patch.outcome, message: patch.message}
  ctx.mark('patch', `PATCH trickle fragment: HTTP ${patch.status} (${patch.outcome})`)
  if (patch.outcome === 'unsupported')
    return {note: `no trickle (PATCH → ${patch.status}); candidates went in the offer`, rejected: false}
  if (patch.outcome === 'rejected') {
    return {
      note: `PATCH ${s.resource.url} → HTTP ${patch.status}${patch.message ? ` (${patch.message})` : ''}: the session URL does not work (a proxy rewriting paths?)`,
      rejected: true,
    }
  }
  return {note: `trickle PATCH → ${patch.status}`, rejected: false}
}
