/**
 * Keyframe requests at the RTCP level. werift sends PLI (`receiver.sendRtcpPLI`) but has no FIR sender
 * and does not export its FIR class, so FIR (RFC 5104 §4.3.1, PSFB FMT 4) is written here.
 */
import {type RtcpPacket, RtcpPayloadSpecificFeedback} from 'werift'

/** A Full Intra Request for one media SSRC, serialisable by werift's RTCP writer. */
class FullIntraRequestFeedback {
  readonly count = 4
  readonly senderSsrc: number
  /** RFC 5104 says 0; the media SSRC is set as well so that werift publishers route it to their sender. */
  readonly mediaSsrc: number
  readonly fir: {ssrc: number; sequenceNumber: number}[]

  constructor(senderSsrc: number, mediaSsrc: number, fir: {ssrc: number; sequenceNumber: number}[]) {
    this.senderSsrc = senderSsrc
    this.mediaSsrc = mediaSsrc
    this.fir = fir
  }

  get length(): number {
    return Math.floor(this.serialize().length / 4 - 1)
  }

  serialize(): Buffer {
    const buffer = Buffer.alloc(8 + this.fir.length * 8)
    buffer.writeUInt32BE(this.senderSsrc >>> 0, 0)
    buffer.writeUInt32BE(this.mediaSsrc >>> 0, 4)
    this.fir.forEach(({ssrc, sequenceNumber}, i) => {
      buffer.writeUInt32BE(ssrc >>> 0, 8 + i * 8)
      buffer[8 + i * 8 + 4] = sequenceNumber & 0xff
    })
    return buffer
  }
}

/** An RTCP FIR packet asking `mediaSsrc` for a keyframe. */
export function firPacket(senderSsrc: number, mediaSsrc: number, sequenceNumber: number): RtcpPacket {
  return new RtcpPayloadSpecificFeedback({
    feedback: new FullIntraRequestFeedback(senderSsrc, mediaSsrc, [{ssrc: mediaSsrc, sequenceNumber}]) as never,
  }) as RtcpPacket
}

export type KeyframeRequest = {kind: 'pli' | 'fir'; mediaSsrc: number}

/** The keyframe requests (PLI, or FIR entries) in an RTCP packet. */
export function keyframeRequestsOf(packet: RtcpPacket): KeyframeRequest[] {
  if (packet.type !== RtcpPayloadSpecificFeedback.type) return []
  const feedback = (packet as RtcpPayloadSpecificFeedback).feedback as
    | {count?: number; mediaSsrc?: number; fir?: {ssrc: number}[]}
    | undefined
  if (feedback?.count === 1 && typeof feedback.mediaSsrc === 'number') {
    return [{kind: 'pli', mediaSsrc: feedback.mediaSsrc}]
  }
  if (feedback?.count === 4 && Array.isArray(feedback.fir)) {
    return feedback.fir.map((entry) => ({kind: 'fir' as const, mediaSsrc: entry.ssrc}))
  }
  return []
}
