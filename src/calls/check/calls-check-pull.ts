/** The pull step of `calls check`: a second session pulls the pushed track, answering the SFU's offer. */
import type {RTCPeerConnection} from 'werift'
import {createPeer, localDescription, waitForConnected} from '../../media/peer.js'
import type {PullResult} from '../calls-client.js'
import {isSessionGone} from '../calls-errors.js'
import {type CallsCheckRun, runStep, serviceNote} from './calls-check-run.js'

/** Subscriber sessions tried when the first is gone (410) before its exchange finished. */
const PULL_SESSION_ATTEMPTS = 2

/** calls.pull: the subscriber connects. */
export async function pullTrack(run: CallsCheckRun, publisherSession: string): Promise<void> {
  const {service, signal} = run
  await runStep(run, 'pull', async () => {
    const mark = service.mark()
    const {pull, peer} = await pullIntoNewSession(run, publisherSession)
    run.subscriberMid = pull.tracks[0]?.mid
    const started = performance.now()
    await waitForConnected(peer, run.timeoutMs, 'subscriber connection', signal)
    const happened = service.since(mark)
    return {
      status: 'pass',
      evidence: `session ${run.subscriberSession}, mid ${run.subscriberMid} after ${pull.attempts} request(s); connected in ${Math.round(performance.now() - started)} ms${serviceNote(happened)}`,
      data: {
        sessionId: run.subscriberSession,
        mid: run.subscriberMid ?? null,
        attempts: pull.attempts,
        service: happened,
      },
    }
  })
}

/** A subscriber session can be gone (410) before its first exchange: start over with a new one, once. */
async function pullIntoNewSession(
  run: CallsCheckRun,
  publisherSession: string,
): Promise<{pull: PullResult; peer: RTCPeerConnection}> {
  const {client, signal} = run
  for (let attempt = 1; ; attempt++) {
    await run.subscriber?.close()
    const session = await client.newSession({correlationId: 'r58-calls-check', ...(signal && {signal})})
    run.subscriberSession = session.sessionId
    const peer = createPeer(run.peerOptions)
    run.subscriber = peer
    try {
      const pull = await client.pullTracks(session.sessionId, {
        tracks: [{sessionId: publisherSession, trackName: run.trackName}],
        answer: async (offer) => {
          await peer.setRemoteDescription(offer)
          await peer.setLocalDescription(await peer.createAnswer())
          return localDescription(peer)
        },
        ...(signal && {signal}),
      })
      return {pull, peer}
    } catch (error) {
      if (!isSessionGone(error) || attempt >= PULL_SESSION_ATTEMPTS) throw error
      run.service.note(`subscriber session ${session.sessionId} was gone (HTTP 410): pulled again with a new session`)
    }
  }
}
