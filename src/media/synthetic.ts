/**
 * Synthetic media: RTP that looks like Opus, VP8 or H.264 to every hop (payload descriptors, NAL units,
 * keyframes, fragmentation, marker bits, clock rates) without an encoder. It proves ICE, DTLS, SRTP and RTP
 * delivery, keyframe requests and bitrates; it is not decodable video.
 *
 * Each frame's first packet carries a stamp (`r58t`, frame number, send time) after the codec headers, so a
 * receiver anywhere downstream can measure delivery and latency with `readSyntheticStamp`.
 */
import {randomInt} from 'node:crypto'
import {MediaStreamTrack, type RTCRtpSender, RtpHeader, RtpPacket} from 'werift'

export type SyntheticCodec = 'opus' | 'vp8' | 'h264'

export interface SyntheticSourceOptions {
  codec: SyntheticCodec
  /** Video target bitrate. Default 300 kbit/s. Audio is ~30 kbit/s. */
  bitrateKbps?: number
  /** Video frames per second. Default 30. */
  fps?: number
  /** A keyframe at least this often (0 = only the first one and on request). Default 2000 ms. */
  keyframeIntervalMs?: number
  /** Largest RTP payload. Default 1100 bytes, under a 1280-byte tunnel MTU with SRTP and headers. */
  maxPayloadBytes?: number
}

export interface SyntheticStats {
  frames: number
  keyframes: number
  packets: number
  bytes: number
  keyframeRequests: number
}

export interface SyntheticSource {
  readonly kind: 'audio' | 'video'
  readonly codec: SyntheticCodec
  readonly track: MediaStreamTrack
  readonly stats: Readonly<SyntheticStats>
  /** The next frame is a keyframe (what a PLI or FIR asks for). */
  requestKeyframe(): void
  /** Answer PLI and FIR arriving at this sender with a keyframe. */
  attach(sender: RTCRtpSender): void
  stop(): void
}

const STAMP_MAGIC = Buffer.from('r58t')
const STAMP_BYTES = STAMP_MAGIC.length + 4 + 8

export interface SyntheticStamp {
  frame: number
  /** `performance.timeOrigin + performance.now()` at send time, in ms. */
  sentAt: number
}

function stamp(frame: number): Buffer {
  const buffer = Buffer.alloc(STAMP_BYTES)
  STAMP_MAGIC.copy(buffer, 0)
  buffer.writeUInt32BE(frame >>> 0, 4)
  buffer.writeDoubleBE(performance.timeOrigin + performance.now(), 8)
  return buffer
}

/** The stamp in a synthetic payload, if any (only frame-start packets carry one). */
export function readSyntheticStamp(payload: Uint8Array): SyntheticStamp | undefined {
  const buffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  const at = buffer.indexOf(STAMP_MAGIC)
  if (at < 0 || at + STAMP_BYTES > buffer.length) return undefined
  return {frame: buffer.readUInt32BE(at + 4), sentAt: buffer.readDoubleBE(at + 8)}
}

/** True when the payload starts a keyframe of `codec` (VP8 P-bit clear / H.264 SPS, IDR or FU-A of an IDR). */
export function isKeyframePayload(codec: SyntheticCodec, payload: Uint8Array): boolean {
  if (codec === 'vp8') {
    const descriptor = payload[0] ?? 0
    const extended = (descriptor & 0x80) !== 0
    const start = (descriptor & 0x10) !== 0
    if (!start || extended) return false
    return ((payload[1] ?? 1) & 0x01) === 0
  }
  if (codec === 'h264') {
    const type = (payload[0] ?? 0) & 0x1f
    if (type === 7 || type === 5) return true
    if (type === 24) return [7, 5].includes((payload[3] ?? 0) & 0x1f) // STAP-A: first NAL
    if (type === 28) return ((payload[1] ?? 0) & 0x80) !== 0 && ((payload[1] ?? 0) & 0x1f) === 5
  }
  return false
}

// A baseline 42e01f SPS and a PPS: well-formed NAL headers; no decoder ever sees them.
const H264_SPS = Buffer.from([0x67, 0x42, 0xe0, 0x1f, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10])
const H264_PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80])

function filler(size: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, size))
  for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 31 + 7) & 0xff
  return buffer
}

/** The RTP payloads of one VP8 frame (RFC 7741): descriptor, frame tag, stamp, filler. */
function vp8Frame(frame: number, key: boolean, size: number, max: number): Buffer[] {
  const tag = key
    ? Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]) // keyframe 320x240
    : Buffer.from([0x11, 0x02, 0x00])
  const body = Buffer.concat([tag, stamp(frame), filler(size - tag.length - STAMP_BYTES)])
  const payloads: Buffer[] = []
  for (let offset = 0; offset < body.length; offset += max - 1) {
    const descriptor = Buffer.from([offset === 0 ? 0x10 : 0x00])
    payloads.push(Buffer.concat([descriptor, body.subarray(offset, offset + max - 1)]))
  }
  return payloads
}

/** The RTP payloads of one H.264 access unit (RFC 6184, packetization-mode 1): SPS+PPS (keyframes), slice via FU-A. */
function h264Frame(frame: number, key: boolean, size: number, max: number): Buffer[] {
  const payloads: Buffer[] = []
  if (key) payloads.push(H264_SPS, H264_PPS)
  const header = key ? 0x65 : 0x41 // IDR slice, non-IDR slice (nal_ref_idc 3 / 2)
  const slice = Buffer.concat([Buffer.from([header]), stamp(frame), filler(size - 1 - STAMP_BYTES)])
  if (slice.length <= max) {
    payloads.push(slice)
    return payloads
  }
  const indicator = (header & 0xe0) | 28
  const type = header & 0x1f
  const data = slice.subarray(1)
  for (let offset = 0; offset < data.length; offset += max - 2) {
    const first = offset === 0
    const last = offset + (max - 2) >= data.length
    const fuHeader = (first ? 0x80 : 0) | (last ? 0x40 : 0) | type
    payloads.push(Buffer.concat([Buffer.from([indicator, fuHeader]), data.subarray(offset, offset + max - 2)]))
  }
  return payloads
}

/** One 20 ms Opus frame: a CELT-only TOC byte, near-silence, and the stamp. */
function opusFrame(frame: number): Buffer[] {
  return [Buffer.concat([Buffer.from([0xf8, 0xff, 0xfe]), stamp(frame), filler(60)])]
}

export function createSyntheticSource(options: SyntheticSourceOptions): SyntheticSource {
  const codec = options.codec
  const kind = codec === 'opus' ? 'audio' : 'video'
  const track = new MediaStreamTrack({kind})
  const fps = kind === 'audio' ? 50 : (options.fps ?? 30)
  const frameBytes = Math.max(64, Math.round(((options.bitrateKbps ?? 300) * 1000) / 8 / fps))
  const clockStep = kind === 'audio' ? 960 : Math.round(90_000 / fps)
  const max = options.maxPayloadBytes ?? 1100
  const keyframeEvery = options.keyframeIntervalMs ?? 2000
  const stats: SyntheticStats = {frames: 0, keyframes: 0, packets: 0, bytes: 0, keyframeRequests: 0}
  const ssrc = randomInt(1, 0xffffffff)
  let sequenceNumber = randomInt(0, 0xffff)
  let timestamp = randomInt(0, 0xffffffff)
  let keyPending = true
  let lastKeyAt = 0

  const sendFrame = () => {
    const now = performance.now()
    const key = kind === 'video' && (keyPending || (keyframeEvery > 0 && now - lastKeyAt >= keyframeEvery))
    const payloads =
      codec === 'opus'
        ? opusFrame(stats.frames)
        : codec === 'vp8'
          ? vp8Frame(stats.frames, key, frameBytes, max)
          : h264Frame(stats.frames, key, frameBytes, max)
    payloads.forEach((payload, i) => {
      const header = new RtpHeader({
        payloadType: codec === 'opus' ? 111 : codec === 'vp8' ? 96 : 102,
        sequenceNumber,
        timestamp,
        ssrc,
        marker: kind === 'video' && i === payloads.length - 1,
      })
      track.writeRtp(new RtpPacket(header, payload))
      sequenceNumber = (sequenceNumber + 1) & 0xffff
      stats.packets += 1
      stats.bytes += payload.length
    })
    if (key) {
      stats.keyframes += 1
      keyPending = false
      lastKeyAt = now
    }
    stats.frames += 1
    timestamp = (timestamp + clockStep) >>> 0
  }

  const timer = setInterval(sendFrame, 1000 / fps)
  let subscriptions: {unSubscribe(): void}[] = []

  return {
    kind,
    codec,
    track,
    stats,
    requestKeyframe() {
      stats.keyframeRequests += 1
      keyPending = true
    },
    attach(sender) {
      subscriptions.push(sender.onPictureLossIndication.subscribe(() => this.requestKeyframe()))
      subscriptions.push(
        sender.onRtcp.subscribe((packet) => {
          // FIR (RFC 5104, PSFB FMT 4) is parsed by werift but not acted on; a keyframe request all the same.
          const feedback = packet as {type?: number; feedback?: {count?: number}}
          if (feedback.type === 206 && feedback.feedback?.count === 4) this.requestKeyframe()
        }),
      )
    },
    stop() {
      clearInterval(timer)
      for (const subscription of subscriptions) subscription.unSubscribe()
      subscriptions = []
      track.stop()
    },
  }
}
