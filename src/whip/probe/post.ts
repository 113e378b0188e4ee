/** Step 4, POST: the offer goes out, the 201 answer and its session URL come back; then the trickle PATCH. */
import {R58Error} from '../../errors.js'
import {iceServerUrls} from '../../ice/ice-url.js'
import {type WhipSession, whipPost} from '../whip-client.js'
import type {ProbeOffer} from './offer.js'
import type {ProbeContext} from './probe-context.js'
import {trickle} from './trickle.js'

/** The session, or undefined when the POST failed (the probe stops). */
export async function postOffer(ctx: ProbeContext, offer: ProbeOffer): Promise<WhipSession | undefined> {
  const {options, report} = ctx
  const check = await ctx.run('whip.post', async () => {
    if (ctx.relayOnly && !offer.parsed.candidates.some((c) => c.type === 'relay')) {
      throw new R58Error(
        'E_UNREACHABLE',
        `no relay candidate from ${report.iceServers.relay}: the TURN allocation failed`,
        {
          hint: 'Check the TURN URL and credentials (`r58 probe turn`).',
        },
      )
    }
    ctx.mark('post', `POST ${options.url}`)
    const s = await whipPost(options.url, offer.sdp, ctx.request)
    ctx.session = s
    ctx.mark(
      'answer',
      `HTTP ${s.status} in ${s.durationMs} ms${s.location ? `, Location ${s.location}` : ', no Location'}${s.etag ? `, ${s.etagHeader} ${s.etag}` : ''}${s.id ? `, ID ${s.id}` : ''}`,
    )
    recordServer(ctx, s)
    const notes: string[] = []
    let status: 'pass' | 'warn' = 'pass'
    if (s.status !== 201) {
      status = 'warn'
      notes.push(`HTTP ${s.status} instead of 201`)
    }
    if (s.resource.form === 'missing') notes.push('no Location header: PATCH and DELETE go to the endpoint URL')
    if (s.redirects.length > 0) notes.push(`followed ${s.redirects.join(', ')}`)
    if (options.trickle ?? true) {
      const patched = await trickle(ctx, s, offer)
      if (patched.rejected) status = 'warn'
      notes.push(patched.note)
    }
    return {
      status,
      evidence: `HTTP ${s.status} in ${s.durationMs} ms; session ${s.resource.url}${s.id ? `; ID ${s.id}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
      data: {status: s.status, location: s.location, resource: s.resource.url, etag: s.etag, id: s.id},
    }
  })
  if (check.status === 'fail' || !ctx.session) {
    ctx.stopReason = 'the POST failed'
    return undefined
  }
  return ctx.session
}

/** What the answer's headers say about the server: its session URL, ETag, ID (MediaMTX sends one). */
function recordServer(ctx: ProbeContext, s: WhipSession): void {
  const {report} = ctx
  Object.assign(report.server, {
    id: s.id,
    location: s.location,
    locationForm: s.resource.form,
    resource: s.resource.url,
    etag: s.etag,
    etagHeader: s.etagHeader,
    redirects: s.redirects,
    kind: s.id !== null || s.etagHeader === 'E-Tag' || ctx.options.mediamtxApi ? 'mediamtx' : 'whip',
  })
  if (report.iceServers.source === 'none' && s.iceServers.length > 0) {
    report.iceServers.ignored.push(
      ...iceServerUrls(s.iceServers).map((url) => `${url} (Link header of the 201 arrived after the offer)`),
    )
  }
}
