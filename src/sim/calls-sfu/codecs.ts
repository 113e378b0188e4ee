/**
 * The emulator's payload-type and header-extension tables. They differ on purpose from werift's and
 * browsers' numbering (werift clients number Opus 96, VP8 97, H.264 98; Chrome Opus 111, VP8 96), so every
 * forwarded packet goes through the per-session mapping, as it must on Calls, where each session
 * negotiates its own numbers.
 */
import {
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  useAbsSendTime,
  useAudioLevelIndication,
  useH264,
  useOPUS,
  usePCMU,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  useVideoOrientation,
  useVP8,
  useVP9,
} from 'werift'
import {startsVp8Keyframe} from './vp8-descriptor.js'

/** Preferred payload type per codec in offers the emulator writes. */
const PREFERRED_PT: Record<string, number> = {
  'audio/opus': 111,
  'audio/pcmu': 0,
  'audio/pcma': 8,
  'video/vp8': 100,
  'video/vp9': 101,
  'video/h264': 125,
}

/** Header extension ids in offers the emulator writes (one id per URI across the BUNDLE group). */
const OFFER_EXTENSION_IDS: Record<string, number> = {
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level': 1,
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time': 3,
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01': 5,
  'urn:ietf:params:rtp-hdrext:sdes:mid': 9,
  'urn:3gpp:video-orientation': 13,
}

/** Extensions werift writes itself on every packet it sends: never copied from the publisher's packets. */
export const REGENERATED_EXTENSIONS: ReadonlySet<string> = new Set([
  'urn:ietf:params:rtp-hdrext:sdes:mid',
  'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
])

/** Codecs the emulator accepts (Calls also has H.265, AV1 and G.711; werift has no H.265). */
export function emulatorCodecs(): {audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[]} {
  return {
    audio: [
      useOPUS({payloadType: 111}),
      usePCMU({payloadType: 0}),
      new RTCRtpCodecParameters({mimeType: 'audio/PCMA', clockRate: 8000, payloadType: 8}),
    ],
    video: [useVP8({payloadType: 100}), useVP9({payloadType: 101}), useH264({payloadType: 125})],
  }
}

/**
 * Extensions the emulator negotiates. rid and repaired-rid are accepted so a simulcast publisher's offer
 * gets a valid answer (a browser rejects an answer that keeps `a=simulcast` without the rid extension);
 * the emulator's own offers leave them out (it sends one stream per subscription).
 */
export function emulatorExtensions(): {
  audio: RTCRtpHeaderExtensionParameters[]
  video: RTCRtpHeaderExtensionParameters[]
} {
  return {
    audio: [useSdesMid(), useAudioLevelIndication()],
    video: [
      useSdesMid(),
      useSdesRTPStreamId(),
      useRepairedRtpStreamId(),
      useAbsSendTime(),
      useTransportWideCC(),
      useVideoOrientation(),
    ],
  }
}

const SIMULCAST_EXTENSIONS: ReadonlySet<string> = new Set([
  'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
])

/** The extensions of an emulator offer for `kind`, with the emulator's fixed ids. */
export function offerExtensions(kind: 'audio' | 'video'): RTCRtpHeaderExtensionParameters[] {
  return emulatorExtensions()
    [kind].filter((e) => !SIMULCAST_EXTENSIONS.has(e.uri))
    .map((e) => new RTCRtpHeaderExtensionParameters({uri: e.uri, id: OFFER_EXTENSION_IDS[e.uri] ?? 14}))
}

export function isMediaCodec(codec: RTCRtpCodecParameters): boolean {
  return !['rtx', 'red', 'ulpfec', 'flexfec-03'].includes(codec.name.toLowerCase())
}

/** Same codec for forwarding purposes: MIME type, and for H.264 the packetization mode. */
export function sameCodec(a: RTCRtpCodecParameters, b: RTCRtpCodecParameters): boolean {
  if (a.mimeType.toLowerCase() !== b.mimeType.toLowerCase()) return false
  if (a.mimeType.toLowerCase() !== 'video/h264') return true
  const mode = (c: RTCRtpCodecParameters) => /packetization-mode=(\d)/.exec(c.parameters ?? '')?.[1] ?? '0'
  return mode(a) === mode(b)
}

/**
 * The codecs of an emulator offer that carries a publication: the publisher's negotiated media codecs,
 * renumbered with the emulator's payload types (unique within the offer).
 */
export function offerCodecs(published: readonly RTCRtpCodecParameters[]): RTCRtpCodecParameters[] {
  const used = new Set<number>()
  const out: RTCRtpCodecParameters[] = []
  for (const codec of published.filter(isMediaCodec)) {
    let pt = PREFERRED_PT[codec.mimeType.toLowerCase()]
    if (pt === undefined || used.has(pt)) {
      pt = [...Array(32).keys()]
        .map((i) => 96 + i)
        .find((candidate) => !used.has(candidate) && !Object.values(PREFERRED_PT).includes(candidate))
    }
    if (pt === undefined) break
    used.add(pt)
    out.push(
      new RTCRtpCodecParameters({
        mimeType: codec.mimeType,
        clockRate: codec.clockRate,
        ...(codec.channels !== undefined && {channels: codec.channels}),
        ...(codec.parameters !== undefined && {parameters: codec.parameters}),
        rtcpFeedback: codec.rtcpFeedback.map((fb) => ({...fb})),
        payloadType: pt,
      }),
    )
  }
  return out
}

/**
 * Whether an RTP payload starts a keyframe: VP8 (RFC 7741: start of partition 0 with the P bit clear, after
 * the optional extended descriptor fields) and H.264 (RFC 6184: IDR or SPS, alone, first in a STAP-A, or
 * starting a FU-A). undefined for codecs it cannot tell (a layer switch then happens at once).
 */
export function startsKeyframe(mimeType: string, payload: Uint8Array): boolean | undefined {
  const mime = mimeType.toLowerCase()
  if (mime === 'video/vp8') return startsVp8Keyframe(payload)
  if (mime === 'video/h264') {
    const type = (payload[0] ?? 0) & 0x1f
    if (type === 5 || type === 7) return true
    if (type === 24) return [5, 7].includes((payload[3] ?? 0) & 0x1f)
    if (type === 28) return ((payload[1] ?? 0) & 0x80) !== 0 && [5, 7].includes((payload[1] ?? 0) & 0x1f)
    return false
  }
  return undefined
}
