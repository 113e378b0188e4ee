/** Step 3, the offer: the publisher's peer, its timeline events, and its gathered offer. */
import {R58Error} from '../../errors.js'
import {parseSdp} from '../../sdp/sdp-session.js'
import {withTimeout} from '../../util/abort.js'
import {Publisher} from '../publisher.js'
import type {IcePlan} from './plan.js'
import type {ProbeContext} from './probe-context.js'

export interface ProbeOffer {
  sdp: string
  parsed: ReturnType<typeof parseSdp>
}

/** The offer with its candidates, or undefined when gathering did not finish (a failed POST check says why). */
export async function createOffer(ctx: ProbeContext, plan: IcePlan): Promise<ProbeOffer | undefined> {
  const {options} = ctx
  const publisher = new Publisher({
    video: ctx.report.video,
    iceServers: plan.peerServers,
    relayOnly: ctx.relayOnly,
    loopbackOnly: ctx.loopbackOnly,
    loopbackAddress: options.loopbackAddress,
    allowRemote: () => true,
  })
  ctx.publisher = publisher
  const pc = publisher.pc
  pc.iceConnectionStateChange.subscribe((state) => {
    if (state === 'checking' || state === 'failed' || state === 'disconnected') {
      ctx.mark(`ice.${state}`, `ICE ${state}`)
    }
  })
  pc.connectionStateChange.subscribe((state) => {
    if (state === 'connected') ctx.mark('dtls.connected', 'DTLS connected (SRTP keys ready)')
    else if (state === 'failed') ctx.mark('pc.failed', 'peer connection failed')
  })
  publisher.onFirstReport = () => ctx.mark('rtcp.rr', 'first RTCP receiver report from the server')
  let offer: Awaited<ReturnType<typeof pc.setLocalDescription>>
  try {
    offer = await withTimeout(
      publisher.createLocalOffer(),
      options.gatherTimeoutMs ?? ctx.timeoutMs + 9000,
      'ICE gathering',
      options.signal,
    )
  } catch (error) {
    ctx.stopReason = 'ICE gathering did not finish'
    await ctx.run('whip.post', async () => {
      if (error instanceof R58Error && error.code === 'E_TIMEOUT' && plan.relay) {
        throw new R58Error(
          'E_TIMEOUT',
          `${error.text}: the TURN allocation on ${String(plan.relay.urls)} did not finish`,
          {
            hint: 'Check the TURN URL and credentials: werift drops a TURN 401, so wrong credentials look like a timeout (`r58 probe turn` tells them apart).',
          },
        )
      }
      throw error
    })
    return undefined
  }
  const sdp = pc.localDescription?.sdp ?? offer.string
  const parsed = parseSdp(sdp, 'offer')
  ctx.mark(
    'offer',
    `offer with ${parsed.candidates.length} candidate(s): ${[...new Set(parsed.candidates.map((c) => `${c.type} ${c.address}:${c.port}`))].join(', ') || 'none'}`,
  )
  return {sdp, parsed}
}
