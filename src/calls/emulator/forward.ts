/**
 * The emulator's forwarding plane: a Publication is a track a session pushes; a Subscription is that track
 * pulled into another session. Every packet is copied per subscriber (werift's sender rewrites the header
 * in place) with:
 * - the payload type mapped to the subscriber's negotiated number for the same codec;
 * - header extensions mapped by URI to the subscriber's ids (mid, transport-cc and abs-send-time are
 *   dropped and rewritten by werift; extensions the subscriber did not negotiate are dropped), so the
 *   publisher's ids never leak into another session (werift-and-peers.md A3);
 * - the SSRC of the subscriber's sender (werift sets it).
 * Keyframe requests (PLI, FIR) from subscribers go upstream to the publisher, at most one per
 * `keyframeIntervalMs` per track.
 */
import {
  ExtensionProfiles,
  type MediaStreamTrack,
  type RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  type RtpPacket,
  RtpPacket as RtpPacketClass,
} from 'werift'
import {firPacket} from '../../media/rtcp.js'
import {REGENERATED_EXTENSIONS, sameCodec} from './codecs.js'

export interface MediaCounters {
  packetsIn: number
  bytesIn: number
  packetsOut: number
  bytesOut: number
  keyframeRequests: number
  unmapped: number
}

export function emptyCounters(): MediaCounters {
  return {packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, keyframeRequests: 0, unmapped: 0}
}

type Unsubscribe = {unSubscribe(): void}

const KEYFRAME_INTERVAL_MS = 200

export class Publication {
  packets = 0
  bytes = 0
  firstPacketAt: number | undefined
  lastPacketAt: number | undefined
  closed = false
  readonly createdAt: number
  readonly subscribers = new Set<Subscription>()
  /** The publisher's media SSRC (from its packets). */
  ssrc: number | undefined
  readonly #subscriptions: Unsubscribe[] = []
  readonly #seen = new Set<MediaStreamTrack>()
  #lastKeyframeRequest = Number.NEGATIVE_INFINITY
  #firSequence = 0

  readonly ownerId: string
  readonly trackName: string
  readonly mid: string
  readonly kind: 'audio' | 'video'
  readonly transceiver: RTCRtpTransceiver
  readonly #counters: MediaCounters
  readonly #now: () => number
  readonly #onActivity: () => void

  constructor(init: {
    ownerId: string
    trackName: string
    mid: string
    kind: 'audio' | 'video'
    transceiver: RTCRtpTransceiver
    counters: MediaCounters
    now: () => number
    onActivity: () => void
  }) {
    this.ownerId = init.ownerId
    this.trackName = init.trackName
    this.mid = init.mid
    this.kind = init.kind
    this.transceiver = init.transceiver
    this.#counters = init.counters
    this.#now = init.now
    this.#onActivity = init.onActivity
    this.createdAt = init.now()
  }

  /** Starts receiving: the transceiver's current tracks and any that appear later (new SSRCs). */
  attach(): void {
    for (const track of this.transceiver.receiver.tracks) this.#watch(track)
    this.#subscriptions.push(this.transceiver.onTrack.subscribe((track) => this.#watch(track)))
  }

  #watch(track: MediaStreamTrack): void {
    if (this.#seen.has(track)) return
    this.#seen.add(track)
    this.#subscriptions.push(
      track.onReceiveRtp.subscribe((packet) => {
        try {
          this.#onRtp(packet)
        } catch {
          // A malformed packet must never take the emulator down.
        }
      }),
    )
  }

  #onRtp(packet: RtpPacket): void {
    if (this.closed) return
    const at = this.#now()
    this.packets += 1
    this.bytes += packet.payload.length
    this.#counters.packetsIn += 1
    this.#counters.bytesIn += packet.payload.length
    this.firstPacketAt ??= at
    this.lastPacketAt = at
    this.ssrc = packet.header.ssrc
    this.#onActivity()
    for (const subscriber of this.subscribers) subscriber.forward(packet, this)
  }

  /** The publisher's negotiated codec for a payload type. */
  codecOf(payloadType: number): RTCRtpCodecParameters | undefined {
    return this.transceiver.codecs.find((codec) => codec.payloadType === payloadType)
  }

  /** The URI the publisher's session gave extension `id`. */
  extensionUri(id: number): string | undefined {
    return this.transceiver.headerExtensions.find((e) => e.id === id)?.uri
  }

  /** Asks the publisher for a keyframe (PLI, or FIR), rate-limited. */
  requestKeyframe(kind: 'pli' | 'fir'): boolean {
    if (this.closed || this.ssrc === undefined || this.kind !== 'video') return false
    const at = this.#now()
    if (at - this.#lastKeyframeRequest < KEYFRAME_INTERVAL_MS) return false
    this.#lastKeyframeRequest = at
    this.#counters.keyframeRequests += 1
    const receiver = this.transceiver.receiver
    const send =
      kind === 'pli'
        ? receiver.sendRtcpPLI(this.ssrc)
        : receiver.dtlsTransport.sendRtcp([firPacket(receiver.rtcpSsrc, this.ssrc, this.#firSequence++)])
    Promise.resolve(send).catch(() => {})
    return true
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const subscription of this.#subscriptions.splice(0)) subscription.unSubscribe()
    for (const subscriber of [...this.subscribers]) subscriber.detach()
  }
}

export class Subscription {
  packets = 0
  bytes = 0
  unmapped = 0
  #publication: Publication | undefined
  #codecCache = new Map<number, RTCRtpCodecParameters | null>()
  #codecsSeen: RTCRtpCodecParameters[] | undefined

  readonly sessionId: string
  readonly mid: string
  readonly transceiver: RTCRtpTransceiver
  readonly #counters: MediaCounters

  constructor(
    sessionId: string,
    mid: string,
    transceiver: RTCRtpTransceiver,
    publication: Publication,
    counters: MediaCounters,
  ) {
    this.sessionId = sessionId
    this.mid = mid
    this.transceiver = transceiver
    this.#counters = counters
    this.#publication = publication
    publication.subscribers.add(this)
  }

  get publication(): Publication | undefined {
    return this.#publication
  }

  /** The SSRC this session's subscriber sees (the emulator's sender). */
  get ssrc(): number {
    return this.transceiver.sender.ssrc
  }

  /** Points this subscription at another publication (tracks/update). */
  switchTo(publication: Publication): void {
    this.detach()
    this.#publication = publication
    this.#codecCache.clear()
    publication.subscribers.add(this)
    publication.requestKeyframe('pli')
  }

  detach(): void {
    this.#publication?.subscribers.delete(this)
    this.#publication = undefined
  }

  /** Whether the subscriber negotiated a codec for everything the publisher negotiated. */
  canCarry(publication: Publication): boolean {
    return publication.transceiver.codecs.some((pub) => this.transceiver.codecs.some((sub) => sameCodec(pub, sub)))
  }

  #mapCodec(payloadType: number, publication: Publication): RTCRtpCodecParameters | undefined {
    if (this.#codecsSeen !== this.transceiver.codecs) {
      this.#codecCache.clear()
      this.#codecsSeen = this.transceiver.codecs
    }
    let mapped = this.#codecCache.get(payloadType)
    if (mapped === undefined) {
      const published = publication.codecOf(payloadType)
      mapped = published ? (this.transceiver.codecs.find((codec) => sameCodec(codec, published)) ?? null) : null
      this.#codecCache.set(payloadType, mapped)
    }
    return mapped ?? undefined
  }

  forward(packet: RtpPacket, publication: Publication): void {
    const sender = this.transceiver.sender
    if (this.transceiver.stopped || (sender.dtlsTransport as {state?: string} | undefined)?.state !== 'connected')
      return
    const codec = this.#mapCodec(packet.header.payloadType, publication)
    if (codec === undefined) {
      this.unmapped += 1
      this.#counters.unmapped += 1
      return
    }
    const extensions: {id: number; payload: Buffer}[] = []
    for (const extension of packet.header.extensions) {
      const uri = publication.extensionUri(extension.id)
      if (uri === undefined || REGENERATED_EXTENSIONS.has(uri)) continue
      const id = this.transceiver.headerExtensions.find((e) => e.uri === uri)?.id
      if (id !== undefined) extensions.push({id, payload: extension.payload})
    }
    const twoByte = extensions.some((e) => e.id > 14 || e.payload.length > 16 || e.payload.length === 0)
    const header = new RtpHeader({
      marker: packet.header.marker,
      payloadType: codec.payloadType,
      sequenceNumber: packet.header.sequenceNumber,
      timestamp: packet.header.timestamp,
      ssrc: packet.header.ssrc,
      csrc: [...packet.header.csrc],
      extensionProfile: twoByte ? ExtensionProfiles.TwoByte : ExtensionProfiles.OneByte,
      extensions,
    })
    if (sender.codec !== codec) sender.codec = codec
    this.packets += 1
    this.bytes += packet.payload.length
    this.#counters.packetsOut += 1
    this.#counters.bytesOut += packet.payload.length
    sender.sendRtp(new RtpPacketClass(header, packet.payload)).catch(() => {})
  }
}
