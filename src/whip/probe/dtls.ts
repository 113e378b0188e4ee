/** Step 7, DTLS: the handshake that gives SRTP its keys, after ICE connected. */
import {withTimeout} from '../../util/abort.js'
import {selectedPair} from '../../webrtc/selected-pair.js'
import type {Publisher} from '../publisher.js'
import type {ProbeContext} from './probe-context.js'

/** Whether DTLS connected; otherwise the probe stops. */
export async function connectDtls(ctx: ProbeContext, publisher: Publisher): Promise<boolean> {
  const pc = publisher.pc
  const check = await ctx.run('whip.dtls', async () => {
    if (pc.connectionState !== 'connected') {
      await withTimeout(
        pc.connectionStateChange.watch((state) => state === 'connected'),
        ctx.timeoutMs,
        'DTLS handshake',
        ctx.options.signal,
      )
    }
    ctx.report.selectedPair = selectedPair(pc) ?? ctx.report.selectedPair
    return {status: 'pass', evidence: 'DTLS connected, SRTP keys exchanged'}
  })
  if (check.status === 'fail') {
    ctx.stopReason = 'DTLS did not connect'
    return false
  }
  return true
}
