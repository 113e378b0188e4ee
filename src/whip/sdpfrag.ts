/**
 * Trickle ICE fragments (RFC 8840, `application/trickle-ice-sdpfrag`) as WHIP clients PATCH them (RFC 9725 §4.3.1):
 * the ICE credentials, one m-line per bundled section with its mid, the candidates and `a=end-of-candidates`.
 */

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
  const lines = [`a=ice-ufrag:${fragment.ufrag}`, `a=ice-pwd:${fragment.pwd}`]
  for (const section of fragment.sections) {
    lines.push(`m=${section.kind} 9 RTP/AVP 0`, `a=mid:${section.mid}`)
    for (const candidate of section.candidates) {
      const body = candidate.replace(/^a=/, '').replace(/^candidate:/, '')
      lines.push(`a=candidate:${body}`)
    }
    if (fragment.end) lines.push('a=end-of-candidates')
  }
  return `${lines.join('\r\n')}\r\n`
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
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('a=ice-ufrag:')) parsed.ufrag = line.slice('a=ice-ufrag:'.length)
    else if (line.startsWith('a=ice-pwd:')) parsed.pwd = line.slice('a=ice-pwd:'.length)
    else if (line.startsWith('m=')) mid = null
    else if (line.startsWith('a=mid:')) mid = line.slice('a=mid:'.length)
    else if (line.startsWith('a=candidate:')) parsed.candidates.push({mid, candidate: line.slice(2)})
    else if (line.startsWith('a=end-of-candidates')) parsed.end = true
  }
  return parsed
}
