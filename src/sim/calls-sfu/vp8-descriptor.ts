/**
 * The VP8 payload descriptor (RFC 7741 §4.2): where its PictureID and TL0PICIDX sit, and a copy of a payload
 * with them replaced. An SFU that switches a subscriber between streams (simulcast layers, or another
 * publisher) rewrites both so the subscriber sees one continuous picture sequence: each stream numbers its
 * pictures from its own random start, and a receiver drops a keyframe whose PictureID goes backwards
 * unless its RTP timestamp goes forwards.
 *
 * Hand-written (≈60 lines) because werift's Vp8RtpPayload reads only: it does not expose TL0PICIDX, skips
 * a T/K byte that is absent when only L is set, and cannot write a descriptor back.
 *
 *      0 1 2 3 4 5 6 7
 *     |X|R|N|S|R| PID |   S: start of a partition; PID: partition index
 *  X: |I|L|T|K| RSV   |
 *  I: |M| PictureID   |   M: 15-bit PictureID (a second byte follows)
 *  L: |   TL0PICIDX   |
 * T/K:|TID|Y| KEYIDX  |
 */

export interface Vp8Descriptor {
  /** S set and partition index 0: the first packet of a frame. */
  startsFrame: boolean
  pictureId?: {value: number; bits: 7 | 15; at: number}
  tl0PicIdx?: {value: number; at: number}
  /** Bytes before the VP8 payload header. */
  length: number
}

/** Reads the descriptor; undefined when the payload is shorter than its own descriptor says. */
export function readVp8Descriptor(payload: Uint8Array): Vp8Descriptor | undefined {
  const first = payload[0]
  if (first === undefined) return undefined
  const descriptor: Vp8Descriptor = {startsFrame: (first & 0x10) !== 0 && (first & 0x07) === 0, length: 1}
  if ((first & 0x80) === 0) return descriptor
  const extension = payload[1]
  if (extension === undefined) return undefined
  let at = 2
  if (extension & 0x80) {
    const high = payload[at]
    if (high === undefined) return undefined
    if (high & 0x80) {
      const low = payload[at + 1]
      if (low === undefined) return undefined
      descriptor.pictureId = {value: ((high & 0x7f) << 8) | low, bits: 15, at}
      at += 2
    } else {
      descriptor.pictureId = {value: high, bits: 7, at}
      at += 1
    }
  }
  if (extension & 0x40) {
    const tl0 = payload[at]
    if (tl0 === undefined) return undefined
    descriptor.tl0PicIdx = {value: tl0, at}
    at += 1
  }
  if (extension & 0x30) at += 1
  if (at > payload.length) return undefined
  descriptor.length = at
  return descriptor
}

/** Whether the payload starts a keyframe: the first packet of a frame whose payload header has P clear. */
export function startsVp8Keyframe(payload: Uint8Array): boolean {
  const descriptor = readVp8Descriptor(payload)
  if (descriptor === undefined || !descriptor.startsFrame || descriptor.length >= payload.length) return false
  return ((payload[descriptor.length] ?? 1) & 0x01) === 0
}

/** A copy of `payload` with its PictureID and TL0PICIDX replaced (each only where the descriptor has it). */
export function withVp8Indices(
  payload: Uint8Array,
  descriptor: Vp8Descriptor,
  indices: {pictureId?: number | undefined; tl0PicIdx?: number | undefined},
): Buffer {
  const copy = Buffer.from(payload)
  const {pictureId, tl0PicIdx} = descriptor
  if (pictureId !== undefined && indices.pictureId !== undefined) {
    if (pictureId.bits === 15) {
      copy[pictureId.at] = 0x80 | ((indices.pictureId >> 8) & 0x7f)
      copy[pictureId.at + 1] = indices.pictureId & 0xff
    } else {
      copy[pictureId.at] = indices.pictureId & 0x7f
    }
  }
  if (tl0PicIdx !== undefined && indices.tl0PicIdx !== undefined) copy[tl0PicIdx.at] = indices.tl0PicIdx & 0xff
  return copy
}
