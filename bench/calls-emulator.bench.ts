/**
 * The Calls emulator forwarding one 2.5 Mbit/s synthetic VP8 track to 10 werift subscribers for 10 s:
 * CPU, packet loss, and the latency the emulator adds (against a direct werift pair measured first).
 * Everything runs in this process on loopback, so the CPU figure covers publisher, emulator and
 * subscribers together.
 */
import type {RTCPeerConnection} from 'werift'
import {CallsClient} from '../src/calls/calls-client.js'
import {createPeer, localDescription, waitForConnected} from '../src/media/peer.js'
import {createSyntheticSource, readSyntheticStamp, type SyntheticSource} from '../src/media/synthetic.js'
import {startCallsEmulator} from '../src/sim/calls-sfu/sfu-server.js'
import type {Bench} from './run.js'
import {percentile} from './stats.js'

const SUBSCRIBERS = 10
const SECONDS = 10
const BITRATE_KBPS = 2500
const peer = () => createPeer({hostAddresses: ['127.0.0.1']})

interface Meter {
  packets: number
  lost: number
  latencies: number[]
  measuring: boolean
  lastSeq: number | undefined
}

/** Counts packets, sequence gaps and frame latency on every track `pc` receives. */
function meter(pc: RTCPeerConnection): Meter {
  const m: Meter = {packets: 0, lost: 0, latencies: [], measuring: false, lastSeq: undefined}
  const watch = (track: {
    onReceiveRtp: {subscribe(f: (p: {header: {sequenceNumber: number}; payload: Buffer}) => void): unknown}
  }) =>
    track.onReceiveRtp.subscribe((packet) => {
      if (!m.measuring) {
        m.lastSeq = packet.header.sequenceNumber
        return
      }
      m.packets += 1
      if (m.lastSeq !== undefined) {
        const gap = (packet.header.sequenceNumber - m.lastSeq + 0x10000) & 0xffff
        if (gap > 1 && gap < 0x8000) m.lost += gap - 1
      }
      m.lastSeq = packet.header.sequenceNumber
      const stamp = readSyntheticStamp(packet.payload)
      if (stamp) m.latencies.push(performance.timeOrigin + performance.now() - stamp.sentAt)
    })
  for (const transceiver of pc.getTransceivers()) for (const track of transceiver.receiver.tracks) watch(track)
  pc.onTrack.subscribe(watch)
  return m
}

function publisher(): {pc: RTCPeerConnection; source: SyntheticSource} {
  const pc = peer()
  const source = createSyntheticSource({codec: 'vp8', bitrateKbps: BITRATE_KBPS, fps: 30, keyframeIntervalMs: 2000})
  const transceiver = pc.addTransceiver(source.track, {direction: 'sendonly'})
  source.attach(transceiver.sender)
  return {pc, source}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const f = (n: number) => n.toFixed(1)

/** Latency of a direct werift publisher → subscriber pair (no emulator), for comparison. */
async function direct(seconds: number): Promise<number[]> {
  const pub = publisher()
  const sub = peer()
  await pub.pc.setLocalDescription(await pub.pc.createOffer())
  await sub.setRemoteDescription(localDescription(pub.pc))
  await sub.setLocalDescription(await sub.createAnswer())
  await pub.pc.setRemoteDescription(localDescription(sub))
  const m = meter(sub)
  await waitForConnected(sub, 10_000)
  await sleep(1000)
  m.measuring = true
  await sleep(seconds * 1000)
  pub.source.stop()
  await Promise.all([pub.pc.close(), sub.close()])
  return m.latencies
}

export default {
  name: `calls emulator: 1 VP8 track at ${BITRATE_KBPS} kbit/s → ${SUBSCRIBERS} subscribers, ${SECONDS} s`,
  async run() {
    const baseline = await direct(3)
    const emulator = await startCallsEmulator({apps: new Map([['bench', 'bench-secret']])})
    const client = new CallsClient({appId: 'bench', appSecret: 'bench-secret', apiBase: emulator.apiBase})
    const pub = publisher()
    const subscribers: RTCPeerConnection[] = []
    try {
      await pub.pc.setLocalDescription(await pub.pc.createOffer())
      const {sessionId} = await client.newSession()
      const push = await client.pushTracks(sessionId, {
        offer: localDescription(pub.pc),
        tracks: [{mid: '0', trackName: 'cam'}],
      })
      await pub.pc.setRemoteDescription(push.answer)
      await waitForConnected(pub.pc, 10_000)
      const meters: Meter[] = []
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const pc = peer()
        subscribers.push(pc)
        const session = await client.newSession()
        await client.pullTracks(session.sessionId, {
          tracks: [{sessionId, trackName: 'cam'}],
          answer: async (offer) => {
            await pc.setRemoteDescription(offer)
            await pc.setLocalDescription(await pc.createAnswer())
            return localDescription(pc)
          },
        })
        meters.push(meter(pc))
        await waitForConnected(pc, 10_000)
      }
      await sleep(1000)
      const statsBefore = emulator.stats().media
      const cpuBefore = process.cpuUsage()
      const started = performance.now()
      for (const m of meters) m.measuring = true
      await sleep(SECONDS * 1000)
      for (const m of meters) m.measuring = false
      const elapsed = (performance.now() - started) / 1000
      const cpu = process.cpuUsage(cpuBefore)
      const statsAfter = emulator.stats().media

      const received = meters.reduce((sum, m) => sum + m.packets, 0)
      const lost = meters.reduce((sum, m) => sum + m.lost, 0)
      const latencies = meters.flatMap((m) => m.latencies)
      const forwarded = statsAfter.packetsOut - statsBefore.packetsOut
      const bytesOut = statsAfter.bytesOut - statsBefore.bytesOut
      const cpuSeconds = (cpu.user + cpu.system) / 1e6
      const p50 = percentile(latencies, 50)
      const p99 = percentile(latencies, 99)
      const b50 = percentile(baseline, 50)
      const b99 = percentile(baseline, 99)
      return {
        lines: [
          `forwarded ${forwarded} packets (${Math.round(forwarded / elapsed)} pkt/s), ${f((bytesOut * 8) / elapsed / 1e6)} Mbit/s of payload out`,
          `CPU ${f((cpuSeconds / elapsed) * 100)}% of one core (user ${f(cpu.user / 1e6)} s, system ${f(cpu.system / 1e6)} s over ${f(elapsed)} s; publisher, emulator and ${SUBSCRIBERS} subscribers in one process)`,
          `loss ${f((lost / Math.max(1, received + lost)) * 100)}% (${lost} of ${received + lost} packets at the subscribers)`,
          `latency publisher→subscriber p50 ${f(p50)} ms, p99 ${f(p99)} ms (n=${latencies.length} frames); direct werift pair p50 ${f(b50)} ms, p99 ${f(b99)} ms`,
          `added by the emulator: p50 ${f(p50 - b50)} ms, p99 ${f(p99 - b99)} ms`,
        ],
      }
    } finally {
      pub.source.stop()
      await Promise.allSettled([pub.pc.close(), ...subscribers.map((pc) => pc.close())])
      await emulator.close()
    }
  },
} satisfies Bench
