/**
 * One subscriber's outgoing stream kept continuous while its source changes (another simulcast layer, or
 * another publication after tracks/update). Each source numbers its packets, timestamps and VP8 pictures
 * from its own random start; forwarded as they are, a switch looks to the receiver like a jump that may go
 * backwards, and a browser then drops the new source's keyframe as older than what it already decoded (a
 * keyframe survives a backwards PictureID only when its timestamp moves forwards) and freezes.
 *
 * So at a switch the offsets are chosen to continue the stream: the next sequence number, the last
 * timestamp plus the wall time since, the next PictureID and TL0PICIDX. Within one source the offsets stay
 * fixed, so reordering and loss inside it look to the receiver as they happened. The first source passes
 * through unchanged.
 */
import {readVp8Descriptor, type Vp8Descriptor, withVp8Indices} from './vp8-descriptor.js'

export interface StreamPacket {
  sequenceNumber: number
  timestamp: number
  payload: Buffer
}

interface LastSent {
  sequenceNumber: number
  timestamp: number
  at: number
  pictureId?: number | undefined
  tl0PicIdx?: number | undefined
}

const SEQUENCE_SPACE = 0x10000
const PICTURE_ID_SPACE = 0x8000

/** Whether `a` follows `b` in a wrapping space (RFC 3550 style: less than half the space ahead). */
function follows(a: number, b: number, space: number): boolean {
  const ahead = (a - b + space) % space
  return ahead !== 0 && ahead < space / 2
}

export class StreamContinuity {
  #sequenceOffset = 0
  #timestampOffset = 0
  #pictureIdOffset = 0
  #tl0Offset = 0
  #switching = false
  #last: LastSent | undefined

  /** The next packet starts another source: continue the stream from it. */
  newSource(): void {
    this.#switching = true
  }

  /**
   * The packet as the subscriber receives it. `clockRate` is the codec's RTP clock (the timestamp advance
   * at a switch), `vp8` whether the payload carries a VP8 descriptor, `now` the wall clock in ms.
   */
  next(packet: StreamPacket, context: {clockRate: number; vp8: boolean; now: number}): StreamPacket {
    const descriptor = context.vp8 ? readVp8Descriptor(packet.payload) : undefined
    const last = this.#last
    if (this.#switching && last !== undefined) this.#continueFrom(last, packet, descriptor, context)
    this.#switching = false
    const sequenceNumber = (packet.sequenceNumber + this.#sequenceOffset) % SEQUENCE_SPACE
    const timestamp = (packet.timestamp + this.#timestampOffset) >>> 0
    const {pictureId, tl0PicIdx} = this.#indices(descriptor)
    const rewritten = descriptor !== undefined && (this.#pictureIdOffset !== 0 || this.#tl0Offset !== 0)
    const payload = rewritten ? withVp8Indices(packet.payload, descriptor, {pictureId, tl0PicIdx}) : packet.payload
    if (last === undefined || follows(sequenceNumber, last.sequenceNumber, SEQUENCE_SPACE)) {
      this.#last = {
        sequenceNumber,
        timestamp,
        at: context.now,
        pictureId: pictureId ?? last?.pictureId,
        tl0PicIdx: tl0PicIdx ?? last?.tl0PicIdx,
      }
    }
    return {sequenceNumber, timestamp, payload}
  }

  /** Offsets that make the new source's first packet follow the last one sent. */
  #continueFrom(
    last: LastSent,
    packet: StreamPacket,
    descriptor: Vp8Descriptor | undefined,
    context: {clockRate: number; now: number},
  ): void {
    this.#sequenceOffset = (last.sequenceNumber + 1 - packet.sequenceNumber + SEQUENCE_SPACE) % SEQUENCE_SPACE
    const ticks = Math.max(1, Math.round(((context.now - last.at) * context.clockRate) / 1000))
    this.#timestampOffset = (last.timestamp + ticks - packet.timestamp) >>> 0
    if (descriptor?.pictureId !== undefined && last.pictureId !== undefined) {
      const space = descriptor.pictureId.bits === 15 ? PICTURE_ID_SPACE : 0x80
      this.#pictureIdOffset = (last.pictureId + 1 - descriptor.pictureId.value + space) % space
    }
    if (descriptor?.tl0PicIdx !== undefined && last.tl0PicIdx !== undefined) {
      this.#tl0Offset = (last.tl0PicIdx + 1 - descriptor.tl0PicIdx.value) & 0xff
    }
  }

  /** The packet's PictureID and TL0PICIDX as sent (undefined where its descriptor has none). */
  #indices(descriptor: Vp8Descriptor | undefined): {pictureId?: number; tl0PicIdx?: number} {
    const out: {pictureId?: number; tl0PicIdx?: number} = {}
    if (descriptor?.pictureId !== undefined) {
      const mask = descriptor.pictureId.bits === 15 ? PICTURE_ID_SPACE - 1 : 0x7f
      out.pictureId = (descriptor.pictureId.value + this.#pictureIdOffset) & mask
    }
    if (descriptor?.tl0PicIdx !== undefined) out.tl0PicIdx = (descriptor.tl0PicIdx.value + this.#tl0Offset) & 0xff
    return out
  }
}
