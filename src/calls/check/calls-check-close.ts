/** The last step of `calls check`: close both tracks, forced (no SDP). */
import {type CallsCheckRun, runStep} from './calls-check-run.js'

/** calls.close */
export async function closeTracks(run: CallsCheckRun, publisherSession: string, publisherMid: string): Promise<void> {
  const {client, signal} = run
  await runStep(run, 'close', async () => {
    const closed: string[] = []
    const {subscriberSession, subscriberMid} = run
    if (subscriberSession !== undefined && subscriberMid !== undefined) {
      await client.closeTracks(subscriberSession, {mids: [subscriberMid], ...(signal && {signal})})
      closed.push(`subscriber mid ${subscriberMid}`)
    }
    await client.closeTracks(publisherSession, {mids: [publisherMid], ...(signal && {signal})})
    closed.push(`publisher mid ${publisherMid}`)
    return {status: 'pass', evidence: `closed ${closed.join(' and ')} (forced)`}
  })
}
