/**
 * A subscriber's stream across source switches: the emulator continues sequence numbers, timestamps and VP8
 * picture indices, so a browser never sees the new layer's keyframe as older than what it decoded.
 */
import {describe, expect, it} from 'vitest'
import {StreamContinuity, type StreamPacket} from '../../../../src/sim/calls-sfu/stream-continuity.js'
import {readVp8Descriptor, startsVp8Keyframe, withVp8Indices} from '../../../../src/sim/calls-sfu/vp8-descriptor.js'

/** A VP8 payload: descriptor with a 15-bit PictureID and a TL0PICIDX, then a one-byte payload header. */
function vp8(pictureId: number, tl0: number, keyframe = false): Buffer {
  return Buffer.from([0x90, 0xc0, 0x80 | (pictureId >> 8), pictureId & 0xff, tl0, keyframe ? 0x10 : 0x11])
}
const packet = (sequenceNumber: number, timestamp: number, payload: Buffer = Buffer.from([0])): StreamPacket => ({
  sequenceNumber,
  timestamp,
  payload,
})
const video = (now: number) => ({clockRate: 90_000, vp8: true, now})

describe('VP8 payload descriptor', () => {
  it.each([
    {what: 'no extension', bytes: [0x10, 0x00], read: {startsFrame: true, length: 1}},
    {what: 'a continuation packet', bytes: [0x00, 0x42], read: {startsFrame: false, length: 1}},
    {what: 'partition 1 start', bytes: [0x11, 0x42], read: {startsFrame: false, length: 1}},
    {
      what: '7-bit PictureID',
      bytes: [0x90, 0x80, 0x2a, 0x00],
      read: {startsFrame: true, pictureId: {value: 42, bits: 7, at: 2}, length: 3},
    },
    {
      what: '15-bit PictureID',
      bytes: [0x90, 0x80, 0x81, 0x23, 0x00],
      read: {startsFrame: true, pictureId: {value: 0x123, bits: 15, at: 2}, length: 4},
    },
    {
      what: 'PictureID and TL0PICIDX without T/K (no T/K byte follows)',
      bytes: [0x90, 0xc0, 0x81, 0x23, 0x07, 0x00],
      read: {startsFrame: true, pictureId: {value: 0x123, bits: 15, at: 2}, tl0PicIdx: {value: 7, at: 4}, length: 5},
    },
    {
      what: 'PictureID, TL0PICIDX and TID',
      bytes: [0x90, 0xe0, 0x81, 0x23, 0x07, 0x40, 0x00],
      read: {startsFrame: true, pictureId: {value: 0x123, bits: 15, at: 2}, tl0PicIdx: {value: 7, at: 4}, length: 6},
    },
    {what: 'TID only', bytes: [0x90, 0x20, 0x40, 0x00], read: {startsFrame: true, length: 3}},
  ])('reads $what', ({bytes, read}) => {
    expect(readVp8Descriptor(Uint8Array.from(bytes))).toEqual(read)
  })

  it.each([
    {what: 'empty', bytes: []},
    {what: 'X without the extension byte', bytes: [0x90]},
    {what: 'M without the second PictureID byte', bytes: [0x90, 0x80, 0x81]},
    {what: 'L without TL0PICIDX', bytes: [0x90, 0x40]},
  ])('refuses a truncated descriptor: $what', ({bytes}) => {
    expect(readVp8Descriptor(Uint8Array.from(bytes))).toBeUndefined()
  })

  it.each([
    {what: 'keyframe after PictureID + TL0PICIDX (no T/K byte)', bytes: [...vp8(5, 1, true)], keyframe: true},
    {what: 'delta frame after PictureID + TL0PICIDX', bytes: [...vp8(5, 1, false)], keyframe: false},
    {what: 'descriptor only, no payload header', bytes: [0x90, 0x80, 0x05], keyframe: false},
  ])('tells a keyframe start: $what', ({bytes, keyframe}) => {
    expect(startsVp8Keyframe(Uint8Array.from(bytes))).toBe(keyframe)
  })

  it('rewrites PictureID and TL0PICIDX in a copy, leaving the original and the rest alone', () => {
    const original = vp8(0x123, 7, true)
    const descriptor = readVp8Descriptor(original)
    if (descriptor === undefined) throw new Error('unreadable')
    const copy = withVp8Indices(original, descriptor, {pictureId: 0x7ffe, tl0PicIdx: 200})
    expect(readVp8Descriptor(copy)).toMatchObject({pictureId: {value: 0x7ffe, bits: 15}, tl0PicIdx: {value: 200}})
    expect(copy.subarray(5)).toEqual(original.subarray(5))
    expect(readVp8Descriptor(original)?.pictureId?.value).toBe(0x123)
  })
})

describe('stream continuity across source switches', () => {
  it('passes the first source through unchanged', () => {
    const stream = new StreamContinuity()
    const payload = vp8(30_000, 9, true)
    const out = stream.next(packet(65_535, 4_000_000_000, payload), video(0))
    expect(out).toEqual({sequenceNumber: 65_535, timestamp: 4_000_000_000, payload})
    expect(out.payload).toBe(payload)
  })

  it.each([
    {
      what: 'backwards in every field',
      from: {seq: 40_000, ts: 3_000_000_000, pid: 20_000, tl0: 200},
      to: {seq: 100, ts: 5_000, pid: 10, tl0: 3},
    },
    {
      what: 'forwards in every field',
      from: {seq: 100, ts: 5_000, pid: 10, tl0: 3},
      to: {seq: 40_000, ts: 3_000_000_000, pid: 20_000, tl0: 200},
    },
    {
      what: 'across the wrap of each field',
      from: {seq: 65_535, ts: 4_294_967_000, pid: 32_767, tl0: 255},
      to: {seq: 7, ts: 12, pid: 3, tl0: 0},
    },
  ])('continues the stream at a switch that would go $what', ({from, to}) => {
    const stream = new StreamContinuity()
    stream.next(packet(from.seq, from.ts, vp8(from.pid, from.tl0)), video(1_000))
    stream.newSource()
    const first = stream.next(packet(to.seq, to.ts, vp8(to.pid, to.tl0, true)), video(1_100))
    expect(first.sequenceNumber).toBe((from.seq + 1) % 65_536)
    expect(first.timestamp).toBe((from.ts + 9_000) % 2 ** 32) // 100 ms at 90 kHz
    expect(readVp8Descriptor(first.payload)).toMatchObject({
      pictureId: {value: (from.pid + 1) % 32_768},
      tl0PicIdx: {value: (from.tl0 + 1) % 256},
    })
    expect(startsVp8Keyframe(first.payload)).toBe(true)
    // The rest of the new source keeps its own spacing under the new offsets.
    const later = stream.next(packet((to.seq + 3) % 65_536, to.ts + 6_000, vp8(to.pid + 1, to.tl0)), video(1_170))
    expect(later.sequenceNumber).toBe((from.seq + 4) % 65_536)
    expect(later.timestamp).toBe((from.ts + 15_000) % 2 ** 32)
    expect(readVp8Descriptor(later.payload)?.pictureId?.value).toBe((from.pid + 2) % 32_768)
  })

  it('continues from the newest packet sent, not from a late one that arrived after it', () => {
    const stream = new StreamContinuity()
    stream.next(packet(10, 1_000, vp8(5, 1)), video(0))
    stream.next(packet(12, 2_000, vp8(6, 1)), video(10))
    stream.next(packet(11, 1_000, vp8(5, 1)), video(20)) // reordered, older
    stream.newSource()
    const first = stream.next(packet(500, 77, vp8(900, 40, true)), video(20))
    expect(first.sequenceNumber).toBe(13)
    expect(first.timestamp).toBe(2_000 + 900) // 10 ms after the newest packet
    expect(readVp8Descriptor(first.payload)?.pictureId?.value).toBe(7)
  })

  it('advances the timestamp by at least one tick when the switch is immediate', () => {
    const stream = new StreamContinuity()
    stream.next(packet(1, 1_000), {clockRate: 48_000, vp8: false, now: 5})
    stream.newSource()
    expect(stream.next(packet(9_000, 7), {clockRate: 48_000, vp8: false, now: 5})).toMatchObject({
      sequenceNumber: 2,
      timestamp: 1_001,
    })
  })

  it('keeps a 7-bit PictureID 7 bits wide', () => {
    const stream = new StreamContinuity()
    stream.next(packet(1, 0, Buffer.from([0x90, 0x80, 0x7f, 0x00])), video(0))
    stream.newSource()
    const first = stream.next(packet(50, 0, Buffer.from([0x90, 0x80, 0x10, 0x00])), video(0))
    expect(readVp8Descriptor(first.payload)?.pictureId).toEqual({value: 0, bits: 7, at: 2})
  })
})
