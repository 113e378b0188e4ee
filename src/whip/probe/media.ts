/** Step 8, media: RTP out for the set duration, RTCP back, and (with --mediamtx-api) MediaMTX's confirmation. */
import {runCheck, skippedCheck} from '../../report/check.js'
import {sleep, withTimeout} from '../../util/abort.js'
import type {Publisher} from '../publisher.js'
import type {WhipSession} from '../whip-client.js'
import {mediamtxPathOf} from '../whip-endpoint.js'
import {type ApiResult, confirmWithMediamtx} from './mediamtx-confirm.js'
import {type ProbeContext, TITLES} from './probe-context.js'

export async function sendMedia(ctx: ProbeContext, publisher: Publisher, whip: WhipSession): Promise<void> {
  const {options, report, durationMs} = ctx
  await ctx.run('whip.media', async () => {
    const firstRtp = (async () => {
      for (;;) {
        const sent = publisher.packetsSent()
        if (sent.audio + sent.video > 0) return
        await sleep(5, options.signal)
      }
    })()
    await withTimeout(firstRtp, ctx.timeoutMs, 'first RTP', options.signal)
    ctx.mark('rtp.first', 'first RTP packet sent')
    const confirm = startConfirmation(ctx, whip)
    await sleep(durationMs, options.signal)
    const apiResult = await confirm
    if (apiResult) {
      ctx.checks.set(
        'whip.mediamtx.path',
        await runCheck('whip.mediamtx.path', TITLES['whip.mediamtx.path'] as string, async () => {
          if ('error' in apiResult) throw apiResult.error
          return apiResult.outcome
        }),
      )
    }
    publisher.updateRtt()
    const media = publisher.sent()
    const sent = publisher.packetsSent()
    report.media = media
    report.rtcp = structuredClone(publisher.rtcp)
    ctx.mark('media.done', `sent ${sent.audio} audio and ${sent.video} video RTP packets`)
    return {
      status: sent.audio + sent.video > 0 ? 'pass' : 'fail',
      evidence: `sent ${sent.audio} audio + ${sent.video} video packets over ${(durationMs / 1000).toFixed(1)} s; keyframe requests answered: ${media.video.keyframeRequests}${rtcpQuality(publisher)}`,
    }
  })
}

/**
 * MediaMTX's side, asked while the media runs; undefined without --mediamtx-api-url (or without a path to ask for).
 * Settled into a value at once: a rejection here must never escape while the media runs.
 */
function startConfirmation(ctx: ProbeContext, whip: WhipSession): Promise<ApiResult | {error: unknown}> | undefined {
  const {options} = ctx
  // The API knows a session by its MediaMTX path: a WHIP URL of another form has none to look up.
  const apiPath = options.mediamtxApi ? mediamtxPathOf(whip.endpoint) : undefined
  if (options.mediamtxApi && apiPath === undefined) {
    ctx.checks.set(
      'whip.mediamtx.path',
      skippedCheck(
        'whip.mediamtx.path',
        TITLES['whip.mediamtx.path'] as string,
        `not looked up: ${whip.endpoint} is not a MediaMTX /<path>/whip URL, so --mediamtx-api-url has no path to confirm`,
      ),
    )
  }
  if (!options.mediamtxApi || apiPath === undefined) return undefined
  return confirmWithMediamtx(options.mediamtxApi, apiPath, whip, ctx.timeoutMs, options.signal, ctx.durationMs).then(
    (result) => {
      ctx.report.mediamtx = result.confirmation
      ctx.mark('mediamtx', result.summary)
      return result
    },
    (error: unknown) => ({error}),
  )
}

/** What the server's RTCP receiver reports said about the stream. */
function rtcpQuality(publisher: Publisher): string {
  const rr = publisher.rtcp
  const reports = rr.audio.reports + rr.video.reports
  const kind = rr.video.reports > 0 ? 'video' : 'audio'
  const r = rr[kind]
  return reports > 0
    ? `; server RTCP: ${reports} report(s), ${kind} loss ${((r.fractionLost ?? 0) * 100).toFixed(1)}%, jitter ${r.jitterMs ?? '?'} ms${r.rttMs !== null ? `, RTT ${r.rttMs} ms` : ''}`
    : '; no RTCP receiver reports from the server'
}
