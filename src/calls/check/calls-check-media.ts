/** The media step of `calls check`: RTP from the publisher arrives at the subscriber, with its latency. */
import type {RTCPeerConnection} from 'werift'
import {R58Error} from '../../errors.js'
import {readSyntheticStamp} from '../../media/synthetic.js'
import {type CallsCheckRun, runStep} from './calls-check-run.js'
import type {CallsCheckMedia} from './calls-check-types.js'

/** calls.media: `wanted` packets within the step's deadline. */
export async function checkMedia(run: CallsCheckRun, subscriber: RTCPeerConnection): Promise<void> {
  const {wanted, timeoutMs} = run
  await runStep(run, 'media', async () => {
    const m = await receive(subscriber, wanted, timeoutMs, run.signal)
    run.media = m
    if (m.packets < wanted) {
      return {
        status: 'fail',
        failure: 'failed',
        evidence: `${m.packets} of ${wanted} RTP packets arrived within ${timeoutMs} ms`,
        fix: 'Both connections came up but media did not flow: check that UDP to the SFU is not filtered, then rerun with --timeout 30s.',
        data: {...m},
      }
    }
    const latency = m.latencyMsP50 === null ? '' : `, latency p50 ${m.latencyMsP50} ms (max ${m.latencyMsMax} ms)`
    return {
      status: 'pass',
      evidence: `${m.packets} packets (${m.frames} stamped frames), first after ${m.firstPacketMs} ms${latency}`,
      data: {...m},
    }
  })
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10)

/** Counts RTP at the subscriber until `wanted` packets arrived or `timeoutMs` passed. */
function receive(
  pc: RTCPeerConnection,
  wanted: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CallsCheckMedia> {
  const started = performance.now()
  let packets = 0
  let frames = 0
  let firstPacketMs: number | null = null
  const latencies: number[] = []
  const subscriptions: {unSubscribe(): void}[] = []
  let done = false
  return new Promise((resolve, reject) => {
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      for (const s of subscriptions) s.unSubscribe()
      resolve({
        packets,
        frames,
        latencyMsP50: round(percentile(latencies, 50)),
        latencyMsMax: round(latencies.length > 0 ? Math.max(...latencies) : null),
        firstPacketMs: firstPacketMs === null ? null : Math.round(firstPacketMs),
      })
    }
    const onAbort = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const s of subscriptions) s.unSubscribe()
      reject(new R58Error('E_ABORTED', 'calls check: cancelled'))
    }
    const timer = setTimeout(finish, timeoutMs)
    const watch = (track: {onReceiveRtp: {subscribe(f: (p: {payload: Buffer}) => void): {unSubscribe(): void}}}) => {
      subscriptions.push(
        track.onReceiveRtp.subscribe((packet) => {
          packets += 1
          firstPacketMs ??= performance.now() - started
          const stamp = readSyntheticStamp(packet.payload)
          if (stamp) {
            frames += 1
            latencies.push(performance.timeOrigin + performance.now() - stamp.sentAt)
          }
          if (packets >= wanted) finish()
        }),
      )
    }
    for (const transceiver of pc.getTransceivers()) for (const track of transceiver.receiver.tracks) watch(track)
    subscriptions.push(pc.onTrack.subscribe((track) => watch(track)))
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, {once: true})
  })
}
