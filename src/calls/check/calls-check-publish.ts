/** The first steps of `calls check`: create the publisher's session, then push a synthetic VP8 track into it. */
import {createPeer, localDescription, waitForConnected} from '../../media/peer.js'
import {createSyntheticSource} from '../../media/synthetic.js'
import {type CallsCheckRun, runStep, serviceNote} from './calls-check-run.js'

/** calls.session.new: the app id and secret are accepted. */
export async function createPublisherSession(run: CallsCheckRun): Promise<void> {
  const {service, signal} = run
  await runStep(run, 'session', async () => {
    const mark = service.mark()
    const started = performance.now()
    const session = await run.client.newSession({correlationId: 'r58-calls-check', ...(signal && {signal})})
    run.publisherSession = session.sessionId
    const happened = service.since(mark)
    return {
      status: 'pass',
      evidence: `session ${session.sessionId} created in ${Math.round(performance.now() - started)} ms${serviceNote(happened)}`,
      data: {sessionId: session.sessionId, service: happened},
    }
  })
}

/** calls.push: a werift publisher sends a synthetic VP8 track; Calls answers and ICE+DTLS connect. */
export async function pushTrack(run: CallsCheckRun, publisherSession: string): Promise<void> {
  const {service, signal, trackName} = run
  await runStep(run, 'push', async () => {
    const mark = service.mark()
    const publisher = createPeer(run.peerOptions)
    run.publisher = publisher
    const source = createSyntheticSource({codec: 'vp8', bitrateKbps: 300, keyframeIntervalMs: 1000})
    run.source = source
    const transceiver = publisher.addTransceiver(source.track, {direction: 'sendonly'})
    source.attach(transceiver.sender)
    await publisher.setLocalDescription(await publisher.createOffer())
    const mid = transceiver.mid ?? '0'
    run.publisherMid = mid
    const push = await run.client.pushTracks(publisherSession, {
      offer: localDescription(publisher),
      tracks: [{mid, trackName}],
      ...(signal && {signal}),
    })
    const started = performance.now()
    await publisher.setRemoteDescription(push.answer)
    await waitForConnected(publisher, run.timeoutMs, 'publisher connection', signal)
    const happened = service.since(mark)
    return {
      status: 'pass',
      evidence: `track ${trackName} on mid ${mid}; ICE+DTLS connected in ${Math.round(performance.now() - started)} ms${serviceNote(happened)}`,
      data: {sessionId: publisherSession, trackName, mid, service: happened},
    }
  })
}
