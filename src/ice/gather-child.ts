/**
 * Child process of `gatherCandidates`: one werift RTCPeerConnection per job, candidates streamed to the
 * parent as they come. It runs in its own process because werift 0.24.4 does not close the socket of a TURN
 * allocation still in flight when the peer connection closes (with wrong credentials it keeps the process
 * alive for good); exiting the process frees everything, whatever werift holds.
 */
import {RTCPeerConnection} from 'werift'
import type {ChildMessage, GatherJob, ParentMessage} from './gather-protocol.js'

const connections: RTCPeerConnection[] = []
let started = performance.now()

function post(message: ChildMessage): void {
  process.send?.(message)
}

const elapsed = () => Math.round((performance.now() - started) * 10) / 10

async function gather(job: GatherJob, index: number): Promise<void> {
  const pc = new RTCPeerConnection({
    // Always explicit: werift would otherwise contact its default public STUN server.
    iceServers: job.iceServers,
    iceTransportPolicy: job.relayOnly ? 'relay' : 'all',
    turnTlsOptions: {
      rejectUnauthorized: job.tlsInsecure !== true,
      ...(job.tlsCa !== undefined && {ca: job.tlsCa}),
    },
  })
  connections.push(pc)
  pc.onIceCandidate.subscribe((candidate) => {
    if (candidate?.candidate)
      post({type: 'candidate', job: index, elapsedMs: elapsed(), candidate: candidate.candidate})
  })
  pc.iceGatheringStateChange.subscribe((state) => {
    if (state === 'complete') post({type: 'complete', job: index, elapsedMs: elapsed()})
  })
  try {
    pc.createDataChannel('r58-probe')
    await pc.setLocalDescription(await pc.createOffer())
  } catch (error) {
    post({type: 'error', job: index, message: error instanceof Error ? error.message : String(error)})
  }
}

async function stop(): Promise<void> {
  await Promise.allSettled(connections.map((pc) => pc.close()))
  if (!process.send) process.exit(0)
  process.send({type: 'closed'} satisfies ChildMessage, () => process.exit(0))
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') {
    void stop()
    return
  }
  started = performance.now()
  // The child never outlives its deadline, even if the parent is gone.
  setTimeout(() => void stop(), message.deadlineMs).unref()
  message.jobs.forEach((job, index) => void gather(job, index))
})
process.on('disconnect', () => process.exit(0))
post({type: 'ready'})
