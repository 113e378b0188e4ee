/**
 * The emulator's forwarding plane: a Publication is a track a session pushes; a Subscription is that track
 * pulled into another session. Every packet is copied per subscriber (werift's sender rewrites the header
 * in place) with:
 * - the payload type mapped to the subscriber's negotiated number for the same codec;
 * - header extensions mapped by URI to the subscriber's ids (mid, transport-cc and abs-send-time are
 *   dropped and rewritten by werift; extensions the subscriber did not negotiate are dropped), so the
 *   publisher's ids never leak into another session (each session negotiates its own);
 * - the SSRC of the subscriber's sender (werift sets it).
 * Keyframe requests (PLI, FIR) from subscribers go upstream to the publisher, at most one per
 * `keyframeIntervalMs` per stream.
 *
 * Simulcast (docs/calls-api.md "Simulcast"): a publication whose offer had `a=simulcast:send` receives one
 * stream per RID (werift routes them by the rid header extension). A subscription forwards one layer: its
 * `preferredRid` while that layer is sending; otherwise, with `ridNotAvailable: asciibetical`, the nearest
 * sending layer after it in a–z order (then before it); with `none`, nothing. A subscription without a
 * preference gets the first sending layer in a–z order. A switch waits for the new layer's keyframe (asked
 * for with a PLI); the subscriber's stream then continues across it (stream-continuity.ts: sequence
 * numbers, timestamps and VP8 picture indices), as it does after tracks/update points it at another track.
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
import type {SimulcastPreference} from '../../calls/calls-types.js'
import {firPacket} from '../../media/rtcp.js'
import {REGENERATED_EXTENSIONS, sameCodec, startsKeyframe} from './codecs.js'
import {StreamContinuity} from './stream-continuity.js'

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
/** A simulcast layer counts as sending while its last packet is at most this old. */
const LAYER_SILENCE_MS = 1000

/** Sending state of one received stream: the single stream (rid ''), or one simulcast layer. */
interface Layer {
  ssrc: number
  lastPacketAt: number
  packets: number
}

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
  readonly #layers = new Map<string, Layer>()
  readonly #lastKeyframeRequest = new Map<number, number>()
  #mediaWaiters: ((arrived: boolean) => void)[] = []
  #firSequence = 0

  readonly ownerId: string
  readonly trackName: string
  readonly mid: string
  readonly kind: 'audio' | 'video'
  readonly transceiver: RTCRtpTransceiver
  readonly #counters: MediaCounters
  /** The emulator's clock (ms), injected so tests can move it. */
  readonly now: () => number
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
    this.now = init.now
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
          this.#onRtp(packet, track.rid ?? '')
        } catch {
          // A malformed packet must never take the emulator down.
        }
      }),
    )
  }

  #onRtp(packet: RtpPacket, rid: string): void {
    if (this.closed) return
    const at = this.now()
    this.packets += 1
    this.bytes += packet.payload.length
    this.#counters.packetsIn += 1
    this.#counters.bytesIn += packet.payload.length
    this.firstPacketAt ??= at
    this.lastPacketAt = at
    this.ssrc = packet.header.ssrc
    const layer = this.#layers.get(rid)
    if (layer) {
      layer.ssrc = packet.header.ssrc
      layer.lastPacketAt = at
      layer.packets += 1
    } else {
      this.#layers.set(rid, {ssrc: packet.header.ssrc, lastPacketAt: at, packets: 1})
    }
    this.#onActivity()
    for (const wake of this.#mediaWaiters.splice(0)) wake(true)
    for (const subscriber of this.subscribers) subscriber.forward(packet, this, rid)
  }

  /**
   * Resolves true once the first packet arrived (at once if it has), false after `timeoutMs` or when the
   * publication closes: a pull right after the publisher connected waits for its media, as Calls does.
   */
  waitForMedia(timeoutMs: number): Promise<boolean> {
    if (this.lastPacketAt !== undefined) return Promise.resolve(true)
    if (this.closed || timeoutMs <= 0) return Promise.resolve(false)
    return new Promise((resolve) => {
      const wake = (arrived: boolean) => {
        clearTimeout(timer)
        resolve(arrived)
      }
      const timer = setTimeout(() => {
        this.#mediaWaiters = this.#mediaWaiters.filter((w) => w !== wake)
        resolve(false)
      }, timeoutMs)
      this.#mediaWaiters.push(wake)
    })
  }

  /** The RIDs the publisher announced (`a=rid:… send`), a–z; empty without simulcast. */
  get rids(): string[] {
    return this.transceiver.receiver.tracks
      .map((track) => track.rid)
      .filter((rid): rid is string => typeof rid === 'string' && rid.length > 0)
      .sort()
  }

  /** RIDs whose packets arrived within the last second, a–z. */
  sendingRids(): string[] {
    const at = this.now()
    return this.rids.filter((rid) => {
      const layer = this.#layers.get(rid)
      return layer !== undefined && at - layer.lastPacketAt <= LAYER_SILENCE_MS
    })
  }

  /** Packets received per RID ('' for a stream without simulcast). */
  layerPackets(): Record<string, number> {
    return Object.fromEntries([...this.#layers].map(([rid, layer]) => [rid, layer.packets]))
  }

  /** The publisher's negotiated codec for a payload type. */
  codecOf(payloadType: number): RTCRtpCodecParameters | undefined {
    return this.transceiver.codecs.find((codec) => codec.payloadType === payloadType)
  }

  /** The URI the publisher's session gave extension `id`. */
  extensionUri(id: number): string | undefined {
    return this.transceiver.headerExtensions.find((e) => e.id === id)?.uri
  }

  /** Asks the publisher for a keyframe (PLI, or FIR) on one layer (default: the last stream seen), rate-limited. */
  requestKeyframe(kind: 'pli' | 'fir', rid?: string): boolean {
    const ssrc = rid === undefined ? this.ssrc : (this.#layers.get(rid)?.ssrc ?? this.ssrc)
    if (this.closed || ssrc === undefined || this.kind !== 'video') return false
    const at = this.now()
    if (at - (this.#lastKeyframeRequest.get(ssrc) ?? Number.NEGATIVE_INFINITY) < KEYFRAME_INTERVAL_MS) return false
    this.#lastKeyframeRequest.set(ssrc, at)
    this.#counters.keyframeRequests += 1
    const receiver = this.transceiver.receiver
    const send =
      kind === 'pli'
        ? receiver.sendRtcpPLI(ssrc)
        : receiver.dtlsTransport.sendRtcp([firPacket(receiver.rtcpSsrc, ssrc, this.#firSequence++)])
    Promise.resolve(send).catch(() => {})
    return true
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const wake of this.#mediaWaiters.splice(0)) wake(false)
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
  /** The subscriber's layer choice (simulcast publications). */
  preference: SimulcastPreference | undefined
  /** The simulcast layer forwarded now (undefined: none yet, or no simulcast). */
  currentRid: string | undefined
  /** Sequence numbers, timestamps and picture indices continued across layer and track switches. */
  readonly #continuity = new StreamContinuity()

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
    preference?: SimulcastPreference,
  ) {
    this.preference = preference
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
    this.currentRid = undefined
    this.#continuity.newSource()
    publication.subscribers.add(this)
    publication.requestKeyframe('pli')
  }

  /** Asks the publisher for a keyframe of the stream this subscriber receives. */
  requestKeyframe(kind: 'pli' | 'fir'): boolean {
    return this.#publication?.requestKeyframe(kind, this.currentRid) ?? false
  }

  /** The layer to forward now, per the preference (see the file comment); undefined: none. */
  selectRid(publication: Publication): string | undefined {
    const sending = publication.sendingRids()
    const preferred = this.preference?.preferredRid
    if (preferred === undefined) return sending[0]
    if (sending.includes(preferred)) return preferred
    if ((this.preference?.ridNotAvailable ?? 'none') === 'none') return undefined
    return sending.find((rid) => rid > preferred) ?? sending.at(-1)
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

  /**
   * Whether this packet of simulcast layer `rid` goes to the subscriber. A switch to another layer waits for
   * that layer's keyframe (asked for with a PLI) while the current layer keeps flowing, so the subscriber's
   * decoder never sees a new layer start mid-picture; the first layer, a stopped current layer and codecs
   * whose keyframes cannot be told switch at once.
   */
  #takesLayer(packet: RtpPacket, publication: Publication, rid: string): boolean {
    const chosen = this.selectRid(publication)
    if (chosen === this.currentRid) return rid === chosen
    if (rid !== chosen) return rid === this.currentRid && publication.sendingRids().includes(rid)
    const codec = publication.codecOf(packet.header.payloadType)
    const keyframe = codec === undefined ? undefined : startsKeyframe(codec.mimeType, packet.payload)
    const current = this.currentRid
    if (current !== undefined && keyframe === false && publication.sendingRids().includes(current)) {
      publication.requestKeyframe('pli', rid)
      return false
    }
    if (current !== undefined) this.#continuity.newSource()
    this.currentRid = rid
    if (keyframe !== true) publication.requestKeyframe('pli', rid)
    return true
  }

  forward(packet: RtpPacket, publication: Publication, rid = ''): void {
    const sender = this.transceiver.sender
    if (this.transceiver.stopped || (sender.dtlsTransport as {state?: string} | undefined)?.state !== 'connected')
      return
    if (rid !== '' && !this.#takesLayer(packet, publication, rid)) return
    const codec = this.#mapCodec(packet.header.payloadType, publication)
    if (codec === undefined) {
      this.unmapped += 1
      this.#counters.unmapped += 1
      return
    }
    const {sequenceNumber, timestamp} = packet.header
    const continued = this.#continuity.next(
      {sequenceNumber, timestamp, payload: packet.payload},
      {clockRate: codec.clockRate, vp8: codec.mimeType.toLowerCase() === 'video/vp8', now: publication.now()},
    )
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
      sequenceNumber: continued.sequenceNumber,
      timestamp: continued.timestamp,
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
    sender.sendRtp(new RtpPacketClass(header, continued.payload)).catch(() => {})
  }
}
