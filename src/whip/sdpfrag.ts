/**
 * Trickle ICE fragments (RFC 8840, `application/trickle-ice-sdpfrag`) as WHIP clients PATCH them (RFC 9725 §4.3.1):
 * the ICE credentials, one m-line per bundled section with its mid, the candidates and `a=end-of-candidates`.
 */
import {candidateLine, isCandidateLine} from '../sdp/sdp-candidate.js'
import {
  attributeLine,
  documentAttributeValues,
  documentLines,
  mediaSection,
  parseSdpDocument,
  type SdpDocument,
  sdpAttribute,
  serializeSdp,
} from '../sdp/sdp-document.js'

export interface FragmentSection {
  kind: string
  mid: string
  /** Candidate attribute values or full lines (`candidate:…` or `a=candidate:…`). */
  candidates: readonly string[]
}

export interface TrickleFragment {
  ufrag: string
  pwd: string
  sections: readonly FragmentSection[]
  /** Append `a=end-of-candidates` (gathering is complete). */
  end: boolean
}

export function buildTrickleFragment(fragment: TrickleFragment): string {
  const document: SdpDocument = {
    session: [attributeLine('ice-ufrag', fragment.ufrag), attributeLine('ice-pwd', fragment.pwd)],
    sections: fragment.sections.map((section) =>
      mediaSection(
        section.kind,
        9,
        'RTP/AVP',
        ['0'],
        [
          attributeLine('mid', section.mid),
          ...section.candidates.map(candidateLine),
          ...(fragment.end ? [attributeLine('end-of-candidates')] : []),
        ],
      ),
    ),
  }
  return serializeSdp(document)
}

export interface ParsedFragment {
  ufrag: string | null
  pwd: string | null
  candidates: {mid: string | null; candidate: string}[]
  end: boolean
}

/** Reads a fragment (as a server does); lenient about line endings and unknown lines. */
export function parseTrickleFragment(text: string): ParsedFragment {
  const parsed: ParsedFragment = {ufrag: null, pwd: null, candidates: [], end: false}
  let mid: string | null = null
  for (const {line} of documentLines(parseSdpDocument(text))) {
    // A candidate takes the mid of its section once that section's a=mid has been read.
    if (line.type === 'm') mid = null
    // As a prefix: `a=end-of-candidates` with a stray CR (`\r\r\n` line ends) or more text still ends gathering.
    if (line.type === 'a' && line.value.startsWith('end-of-candidates')) parsed.end = true
    const attribute = sdpAttribute(line)
    if (attribute?.value === null || attribute?.value === undefined) continue
    if (attribute.name === 'ice-ufrag') parsed.ufrag = attribute.value
    else if (attribute.name === 'ice-pwd') parsed.pwd = attribute.value
    else if (attribute.name === 'mid') mid = attribute.value
    else if (isCandidateLine(line)) parsed.candidates.push({mid, candidate: line.value})
  }
  return parsed
}

/**
 * Whether a fragment carries ICE credentials (`a=ice-ufrag` or `a=ice-pwd`), which in a PATCH with
 * `If-Match: "*"` asks for an ICE restart (RFC 9725 §4.3.2). Any line end counts, a bare CR too.
 */
export function hasIceCredentials(fragment: string): boolean {
  const document = parseSdpDocument(fragment, {anyLineEnd: true})
  return ['ice-ufrag', 'ice-pwd'].some((name) => documentAttributeValues(document, name).length > 0)
}
