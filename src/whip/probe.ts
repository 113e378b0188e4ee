/**
 * `r58 probe whip`: publish a real (synthetic) stream to a WHIP endpoint and explain exactly why a remote guest
 * would or would not get through. The answer analysis is the heart of it: MediaMTX answers 201 to anyone the HTTP
 * tunnel lets in, but media can only flow to the addresses its answer lists.
 *
 * The probe runs as named steps, each its own check, in src/whip/probe/: plan (ICE servers), OPTIONS, offer, POST
 * (+ trickle PATCH), the answer's candidates, ICE, DTLS, media (+ MediaMTX's confirmation), DELETE. A step that
 * fails stops the run; the checks after it say why they did not run.
 */

import {analyseAnswer} from './probe/answer.js'
import {deleteSession} from './probe/delete.js'
import {connectDtls} from './probe/dtls.js'
import {connectIce} from './probe/ice.js'
import {sendMedia} from './probe/media.js'
import {createOffer} from './probe/offer.js'
import {askOptions} from './probe/options-step.js'
import {planIceServers} from './probe/plan.js'
import {postOffer} from './probe/post.js'
import {createProbeContext, finishReport, type ProbeContext} from './probe/probe-context.js'
import type {WhipProbeOptions, WhipProbeReport} from './probe/probe-types.js'

export type {
  MediamtxConfirmation,
  ProbeCandidate,
  TimelineEntry,
  WhipProbeOptions,
  WhipProbeReport,
} from './probe/probe-types.js'

export async function probeWhip(options: WhipProbeOptions): Promise<WhipProbeReport> {
  const ctx = createProbeContext(options)
  try {
    await publish(ctx)
    return ctx.report
  } finally {
    if (ctx.session) await deleteSession(ctx, ctx.session)
    await ctx.publisher?.close()
    if (ctx.publisher) ctx.mark('closed', 'peer connection closed')
    finishReport(ctx)
  }
}

/** The steps in order; each returns nothing (and sets ctx.stopReason) when the run cannot go on. */
async function publish(ctx: ProbeContext): Promise<void> {
  const linkServers = await askOptions(ctx)
  if (!linkServers) return
  const plan = await planIceServers(ctx, linkServers)
  if (!plan) return
  const offer = await createOffer(ctx, plan)
  const publisher = ctx.publisher
  if (!offer || !publisher) return
  const session = await postOffer(ctx, offer)
  if (!session) return
  if (!(await analyseAnswer(ctx, session))) return
  if (!(await connectIce(ctx, publisher, session))) return
  if (!(await connectDtls(ctx, publisher))) return
  await sendMedia(ctx, publisher, session)
}
