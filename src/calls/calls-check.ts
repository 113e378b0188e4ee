/**
 * `r58 calls check`: proves an app id and secret work end to end against Calls (or the emulator): create a
 * session, push a short synthetic VP8 track from a werift peer, pull it into a second session, confirm RTP
 * arrives (with latency from the frames' stamps), and close the tracks. Each step is a timed check; a
 * rejected secret exits 5, an unreachable API 4, media that never arrives 3.
 *
 * The steps live in src/calls/check/, one module each: publish (session, push), pull, media, close. A step
 * that fails stops the run; the checks after it say why they did not run.
 */
import type {RTCPeerConnection} from 'werift'
import {exitCodeOf, isOk} from '../report/check.js'
import {closeTracks} from './check/calls-check-close.js'
import {checkMedia} from './check/calls-check-media.js'
import {createPublisherSession, pushTrack} from './check/calls-check-publish.js'
import {pullTrack} from './check/calls-check-pull.js'
import {type CallsCheckRun, createCallsCheckRun, skipStep} from './check/calls-check-run.js'
import type {CallsCheckOptions, CallsCheckReport} from './check/calls-check-types.js'

export type {CallsCheckOptions, CallsCheckReport} from './check/calls-check-types.js'

export async function runCallsCheck(options: CallsCheckOptions): Promise<CallsCheckReport> {
  const run = createCallsCheckRun(options)
  try {
    await exchange(run)
  } finally {
    run.source?.stop()
    await Promise.allSettled([run.publisher?.close(), run.subscriber?.close()])
  }
  const {checks} = run
  return {
    apiBase: run.apiBase,
    appId: run.appId,
    checks,
    media: run.media,
    ok: isOk(checks),
    exitCode: exitCodeOf(checks),
  }
}

/** The steps in order; after a failure the later ones are skipped, but what was pushed is still closed. */
async function exchange(run: CallsCheckRun): Promise<void> {
  const failed = () => run.checks.some((c) => c.status === 'fail')
  await createPublisherSession(run)
  if (failed()) skipStep(run, 'push', 'not run: no session')
  else await pushTrack(run, run.publisherSession as string)
  if (failed()) skipStep(run, 'pull', 'not run: nothing was pushed')
  else await pullTrack(run, run.publisherSession as string)
  if (failed()) skipStep(run, 'media', 'not run: nothing was pulled')
  else await checkMedia(run, run.subscriber as RTCPeerConnection)
  const {publisherSession, publisherMid} = run
  if (publisherMid === undefined || publisherSession === undefined) skipStep(run, 'close', 'not run: nothing to close')
  else await closeTracks(run, publisherSession, publisherMid)
}
