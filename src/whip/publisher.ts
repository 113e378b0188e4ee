/**
 * The probe's publisher: a werift peer with synthetic Opus + VP8/H.264 (no data channel: MediaMTX answers 406 to
 * one), its ICE servers, and the candidate policy that keeps it from sending where it must not (src/webrtc/scope.ts).
 * It records what a WebRTC stack would show in chrome://webrtc-internals: states, first RTP, receiver reports.
 */
import {
  type RTCIceServer,
  RTCPeerConnection,
  type RTCRtpSender,
  RtcpRrPacket,
  RtcpSrPacket,
  useH264,
  useOPUS,
  useVP8,
} from 'werift'
import type {IceServer} from '../ice/ice-url.js'
import {createSyntheticSource, type SyntheticSource} from '../media/synthetic.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {disableStunFallback, loopbackPeerConfig} from '../webrtc/scope.js'
import {type SocketTracker, trackWeriftSockets} from '../webrtc/socket-tracker.js'

export type ProbeVideoCodec = 'vp8' | 'h264'

export interface RtcpSummary {
  /** Receiver reports (RR/SR report blocks) about this stream received from the server. */
  reports: number
  /** Last reported fraction lost, 0–1. */
  fractionLost: number | null
  /** Last reported cumulative packets lost. */
  packetsLost: number | null
  /** Last reported interarrival jitter, in ms. */
  jitterMs: number | null
  /** Round-trip time from the last SR/RR exchange, in ms. */
  rttMs: number | null
}

export interface SentMedia {
  packets: number
  bytes: number
  keyframes: number
  keyframeRequests: number
}

export interface PublisherOptions {
  video: ProbeVideoCodec
  iceServers: IceServer[]
  relayOnly: boolean
  /** Gather and connect on one loopback address only. */
  loopbackOnly: boolean
  /** That address. Default 127.0.0.1. */
  loopbackAddress?: string | undefined
  /** Remote addresses the peer may pair with. */
  allowRemote: (address: string) => boolean
}

const CLOCK: Record<string, number> = {audio: 48_000, video: 90_000}

function emptyRtcp(): RtcpSummary {
  return {reports: 0, fractionLost: null, packetsLost: null, jitterMs: null, rttMs: null}
}

export class Publisher {
  readonly pc: RTCPeerConnection
  readonly audio: SyntheticSource
  readonly video: SyntheticSource
  readonly senders: {audio: RTCRtpSender; video: RTCRtpSender}
  readonly rtcp: {audio: RtcpSummary; video: RtcpSummary} = {audio: emptyRtcp(), video: emptyRtcp()}
  /** Called once on the first receiver report about any stream. */
  onFirstReport: (() => void) | undefined
  #closed = false
  readonly #sockets: SocketTracker = trackWeriftSockets()

  constructor(options: PublisherOptions) {
    disableStunFallback()
    const iceServers: RTCIceServer[] = options.iceServers.map((s) => ({
      urls: s.urls,
      ...(s.username !== undefined && {username: s.username}),
      ...(s.credential !== undefined && {credential: s.credential}),
    }))
    this.pc = new RTCPeerConnection({
      ...(options.loopbackOnly ? loopbackPeerConfig(options.loopbackAddress) : {}),
      iceFilterCandidatePair: (pair) =>
        options.allowRemote(pair.remoteCandidate.host) &&
        (!options.loopbackOnly || isLoopbackAddress(pair.remoteCandidate.host)),
      iceServers,
      iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
      codecs: {audio: [useOPUS()], video: [options.video === 'h264' ? useH264() : useVP8()]},
    })
    this.audio = createSyntheticSource({codec: 'opus'})
    this.video = createSyntheticSource({codec: options.video})
    const audio = this.pc.addTransceiver(this.audio.track, {direction: 'sendonly'}).sender
    const video = this.pc.addTransceiver(this.video.track, {direction: 'sendonly'}).sender
    this.audio.attach(audio)
    this.video.attach(video)
    this.senders = {audio, video}
    for (const kind of ['audio', 'video'] as const) this.watchReports(kind, this.senders[kind])
  }

  /** createOffer + setLocalDescription (werift gathers there), with the sockets it opens tracked. */
  createLocalOffer(): ReturnType<RTCPeerConnection['setLocalDescription']> {
    return this.#sockets.run(async () => this.pc.setLocalDescription(await this.pc.createOffer()))
  }

  private watchReports(kind: 'audio' | 'video', sender: RTCRtpSender): void {
    sender.onRtcp.subscribe((packet) => {
      if (!(packet instanceof RtcpRrPacket) && !(packet instanceof RtcpSrPacket)) return
      for (const report of packet.reports) {
        if (report.ssrc !== sender.ssrc) continue
        const summary = this.rtcp[kind]
        summary.reports += 1
        summary.fractionLost = report.fractionLost / 256
        summary.packetsLost = report.packetsLost
        summary.jitterMs = Math.round((report.jitter / (CLOCK[kind] ?? 90_000)) * 1000 * 10) / 10
        if (summary.reports === 1 && this.rtcp.audio.reports + this.rtcp.video.reports === 1) this.onFirstReport?.()
      }
    })
  }

  /** RTP packets the senders put on the wire so far. */
  packetsSent(): {audio: number; video: number} {
    const count = (sender: RTCRtpSender) => {
      const stats = sender.collectStats(Date.now()) as {type: string; packetsSent?: number}[]
      return stats.find((s) => s.type === 'outbound-rtp')?.packetsSent ?? 0
    }
    return {audio: count(this.senders.audio), video: count(this.senders.video)}
  }

  /** Reads RTT from the senders' stats into the RTCP summaries. */
  updateRtt(): void {
    for (const kind of ['audio', 'video'] as const) {
      const stats = this.senders[kind].collectStats(Date.now()) as {type: string; roundTripTime?: number}[]
      const rtt = stats.find((s) => s.type === 'remote-inbound-rtp')?.roundTripTime
      if (typeof rtt === 'number' && Number.isFinite(rtt)) this.rtcp[kind].rttMs = Math.round(rtt * 1000 * 10) / 10
    }
  }

  sent(): {audio: SentMedia; video: SentMedia} {
    const pick = (s: SyntheticSource): SentMedia => ({
      packets: s.stats.packets,
      bytes: s.stats.bytes,
      keyframes: s.stats.keyframes,
      keyframeRequests: s.stats.keyframeRequests,
    })
    return {audio: pick(this.audio), video: pick(this.video)}
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.audio.stop()
    this.video.stop()
    await this.pc.close().catch(() => {})
    await this.#sockets.release()
  }
}
