/**
 * Forwards one track's RTP from the leg that receives it (Calls → relay) to the leg that sends it
 * (relay → MediaMTX), without transcoding, and carries keyframe requests the other way.
 *
 * - The outgoing track is stable across republishes: each new publish leg sends the same local track.
 * - werift's sender rewrites SSRC, payload type, sequence numbers and timestamps for the negotiated codec of
 *   the outgoing leg; header extensions of the incoming leg are dropped before sending, because werift merges
 *   them into its own and their ids belong to the other negotiation (docs/werift.md A3).
 * - Keyframe requests (PLI, FIR) from the publish leg go upstream as PLI, rate-limited: MediaMTX asks every
 *   2 s, and passing each one on would make the guest send a keyframe every 2 s. The first request after
 *   each (re)publish passes at once, since a new reader needs a keyframe to start.
 */
import {MediaStreamTrack, type RTCRtpReceiver, type RTCRtpSender, type RtpPacket} from 'werift'
import type {LegStats} from './engine.js'

export interface ForwarderOptions {
  kind: 'audio' | 'video'
  /** The received track (remote track of the pull leg). */
  source: MediaStreamTrack
  /** Its receiver, to send PLI upstream. */
  receiver: RTCRtpReceiver
  /** Minimum time between upstream keyframe requests after the first. Default 5000 ms. */
  minKeyframeIntervalMs?: number
  now?: () => number
}

interface Subscription {
  unSubscribe(): void
}

export class TrackForwarder {
  readonly kind: 'audio' | 'video'
  /** The local track the publish leg sends. */
  readonly output: MediaStreamTrack
  readonly received: LegStats = {packets: 0, bytes: 0, lost: 0}
  readonly sent: LegStats = {packets: 0, bytes: 0, lost: 0}
  keyframeRequestsForwarded = 0
  keyframeRequestsDropped = 0
  /** Codec of the incoming stream as negotiated on the pull leg, e.g. `video/VP8`. */
  mimeType: string | undefined

  readonly #source: MediaStreamTrack
  readonly #receiver: RTCRtpReceiver
  readonly #minInterval: number
  readonly #now: () => number
  readonly #subscriptions: Subscription[] = []
  #senderSubscriptions: Subscription[] = []
  #lastSequence: number | undefined
  #lastKeyframeRequestAt = Number.NEGATIVE_INFINITY
  #firstPacket: Promise<void>
  #resolveFirstPacket!: () => void
  #stopped = false

  constructor(options: ForwarderOptions) {
    this.kind = options.kind
    this.#source = options.source
    this.#receiver = options.receiver
    this.#minInterval = options.minKeyframeIntervalMs ?? 5000
    this.#now = options.now ?? Date.now
    this.output = new MediaStreamTrack({kind: options.kind})
    this.#firstPacket = new Promise((resolve) => {
      this.#resolveFirstPacket = resolve
    })
    this.#subscriptions.push(this.#source.onReceiveRtp.subscribe((packet) => this.#forward(packet)))
  }

  #forward(packet: RtpPacket): void {
    if (this.#stopped) return
    this.mimeType ??= this.#source.codec?.mimeType
    const {header} = packet
    if (this.#lastSequence !== undefined) {
      const gap = (header.sequenceNumber - this.#lastSequence - 1 + 0x10000) & 0xffff
      // A large "gap" is reordering or a restart, not loss.
      if (gap > 0 && gap < 1000) this.received.lost += gap
    }
    this.#lastSequence = header.sequenceNumber
    this.received.packets += 1
    this.received.bytes += packet.payload.length
    if (this.received.packets === 1) this.#resolveFirstPacket()
    const out = packet.clone()
    out.header.extensions = []
    out.header.extension = false
    this.output.writeRtp(out)
    this.sent.packets += 1
    this.sent.bytes += out.payload.length
  }

  /** Resolves at the first received packet. */
  firstPacket(): Promise<void> {
    return this.#firstPacket
  }

  get flowing(): boolean {
    return this.received.packets > 0
  }

  /** Wires a (new) publish leg's sender: its keyframe requests go upstream. The first passes at once. */
  attachSender(sender: RTCRtpSender): void {
    for (const s of this.#senderSubscriptions) s.unSubscribe()
    this.#lastKeyframeRequestAt = Number.NEGATIVE_INFINITY
    this.#senderSubscriptions = [
      sender.onPictureLossIndication.subscribe(() => this.requestKeyframe()),
      sender.onRtcp.subscribe((packet) => {
        const feedback = packet as {type?: number; feedback?: {count?: number}}
        if (feedback.type === 206 && feedback.feedback?.count === 4) this.requestKeyframe() // FIR
      }),
    ]
  }

  /** Asks the guest for a keyframe, at most once per interval. Returns whether the request went upstream. */
  requestKeyframe(): boolean {
    if (this.kind !== 'video' || this.#stopped) return false
    const now = this.#now()
    if (now - this.#lastKeyframeRequestAt < this.#minInterval) {
      this.keyframeRequestsDropped += 1
      return false
    }
    const ssrc = this.#source.ssrc
    if (ssrc === undefined) return false
    this.#lastKeyframeRequestAt = now
    this.keyframeRequestsForwarded += 1
    this.#receiver.sendRtcpPLI(ssrc).catch(() => {
      // The pull leg is going away; the session's own checks notice that.
    })
    return true
  }

  stop(): void {
    this.#stopped = true
    for (const s of [...this.#subscriptions, ...this.#senderSubscriptions]) s.unSubscribe()
    this.#senderSubscriptions = []
    this.output.stop()
  }
}
