/**
 * A guest's offer is checked here before anything is asked of Calls: what is wrong with it is the guest's
 * error (400 with a short reason), not a Calls failure (502 with Calls' own words).
 */
import {SessionDescription} from 'werift'
import {parseSdpDocument} from '../sdp/sdp-document.js'

export interface OfferProblem {
  /** 400 for a broken offer, 422 for a well-formed one the relay does not take. */
  status: 400 | 422
  reason: string
}

/** WHIP allows at most one audio and one video m-line and nothing else; a guest offer must have one. */
export function checkOfferShape(sdp: string): string | undefined {
  if (!sdp.startsWith('v=0')) return 'the body is not an SDP offer (it must start with "v=0")'
  // A section counts as media once its m-line names a kind and goes on (`m=<kind> …`); checkOffer reads the rest.
  const kinds = parseSdpDocument(sdp, {anyLineEnd: true})
    .sections.filter((s) => /^\w+ /.test(s.mLine.value))
    .map((s) => s.kind)
  if (kinds.length === 0) return 'the offer has no media'
  const audio = kinds.filter((k) => k === 'audio').length
  const video = kinds.filter((k) => k === 'video').length
  if (audio > 1 || video > 1) return 'at most one audio and one video track are accepted'
  if (audio + video !== kinds.length)
    return `unsupported media in the offer: ${kinds.filter((k) => k !== 'audio' && k !== 'video').join(', ')}`
  return undefined
}

/** What Calls needs from every m-section of a WebRTC offer, checked with werift's SDP parser. */
export function checkOffer(sdp: string): OfferProblem | undefined {
  const shape = checkOfferShape(sdp)
  if (shape) return {status: shape.startsWith('at most') || shape.startsWith('unsupported') ? 422 : 400, reason: shape}
  const {sections} = parseSdpDocument(sdp, {anyLineEnd: true})
  if (sections.some((s) => !/^(audio|video) \d+ [\w/]+ \d+( \d+)*\s*$/.test(s.mLine.value)))
    return {status: 400, reason: 'a media line is malformed (expected "m=<kind> <port> <proto> <payload types>")'}
  let parsed: SessionDescription
  try {
    parsed = SessionDescription.parse(sdp)
  } catch {
    return {status: 400, reason: 'the offer is not valid SDP'}
  }
  for (const media of parsed.media) {
    const which = `the ${media.kind} section`
    if (!media.iceParams?.usernameFragment || !media.iceParams.password)
      return {status: 400, reason: `${which} has no a=ice-ufrag / a=ice-pwd`}
    if (!media.dtlsParams?.fingerprints.length) return {status: 400, reason: `${which} has no a=fingerprint or a=setup`}
    if (media.rtp.codecs.length === 0) return {status: 400, reason: `${which} lists no codec (a=rtpmap)`}
    // A guest publishes: every section must send (werift reads a missing direction as sendrecv).
    if (media.direction === 'recvonly' || media.direction === 'inactive')
      return {status: 400, reason: `${which} does not send (it is ${media.direction})`}
  }
  return undefined
}
