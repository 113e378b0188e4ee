/**
 * A strict-enough reading of an SDP answer for diagnosis: every line must be `<letter>=<value>`, it must start
 * with `v=0` and have at least one m-section, and every `a=candidate` must parse. The first offending line is
 * quoted in the error, because "malformed SDP" alone helps nobody.
 */
import {R58Error} from '../errors.js'
import {parseCandidate, type SdpCandidate} from './sdp-candidate.js'
import {documentLines, parseSdpDocument, type SdpLine, type SdpSection, sdpAttribute} from './sdp-document.js'

export interface SdpMediaSection {
  index: number
  kind: string
  port: number
  protocol: string
  mid: string | null
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | null
  bundleOnly: boolean
  /** `VP8/90000`, `opus/48000/2`, … from the a=rtpmap lines. */
  codecs: string[]
}

export interface SdpCandidateLine extends SdpCandidate {
  /** The line as written in the SDP. */
  line: string
  /** 1-based line number in the SDP. */
  lineNumber: number
  mLineIndex: number
  mid: string | null
}

export interface ParsedSdp {
  media: SdpMediaSection[]
  candidates: SdpCandidateLine[]
  endOfCandidates: boolean
  iceLite: boolean
  iceUfrag: string | null
  icePwd: string | null
  bundle: string[]
}

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive'])

function malformed(what: string, lineNumber: number, line: string, reason: string): R58Error {
  return new R58Error('E_PROTOCOL', `malformed SDP ${what}, line ${lineNumber}: ${JSON.stringify(line)} (${reason})`, {
    hint: 'The server sent an SDP that WebRTC stacks reject; report it to the server’s maintainers with this line.',
  })
}

/** Parses an SDP for analysis; throws an E_PROTOCOL R58Error quoting the first malformed line. */
export function parseSdp(text: string, what = 'answer'): ParsedSdp {
  const document = parseSdpDocument(text)
  const first = document.session[0] ?? document.sections[0]?.mLine
  if (first === undefined) throw new R58Error('E_PROTOCOL', `empty SDP ${what}`)
  if (first.text !== 'v=0') throw malformed(what, 1, first.text, 'an SDP starts with "v=0"')
  const parsed: ParsedSdp = {
    media: [],
    candidates: [],
    endOfCandidates: false,
    iceLite: false,
    iceUfrag: null,
    icePwd: null,
    bundle: [],
  }
  const media = new Map<SdpSection, SdpMediaSection>()
  for (const {line, section} of documentLines(document)) {
    if (line.type === null) throw malformed(what, line.lineNumber, line.text, 'not of the form <type>=<value>')
    if (line.type === 'm' && section) {
      const current = mediaOf(section, parsed.media.length, what)
      media.set(section, current)
      parsed.media.push(current)
    } else readAttribute(parsed, line, section && media.get(section), what)
  }
  // a=mid may come after the candidates of its section: fill it in.
  for (const candidate of parsed.candidates) {
    candidate.mid = parsed.media[candidate.mLineIndex]?.mid ?? null
  }
  if (parsed.media.length === 0) {
    throw new R58Error('E_PROTOCOL', `malformed SDP ${what}: no m= line (no media section at all)`)
  }
  return parsed
}

function mediaOf(section: SdpSection, index: number, what: string): SdpMediaSection {
  const {mLine} = section
  const fields = mLine.value.split(' ')
  if (fields.length < 4 || !/^\d+$/.test(fields[1] ?? '') || section.port > 65535) {
    throw malformed(what, mLine.lineNumber, mLine.text, 'an m-line is "m=<media> <port> <proto> <fmt> …"')
  }
  return {
    index,
    kind: section.kind,
    port: section.port,
    protocol: section.proto,
    mid: null,
    direction: null,
    bundleOnly: false,
    codecs: [],
  }
}

function readAttribute(parsed: ParsedSdp, line: SdpLine, current: SdpMediaSection | undefined, what: string): void {
  const attribute = sdpAttribute(line)
  if (attribute === null) return
  const {name} = attribute
  const rest = attribute.value ?? ''
  if (name === 'candidate') {
    const result = parseCandidate(rest)
    if ('error' in result) throw malformed(what, line.lineNumber, line.text, result.error)
    parsed.candidates.push({
      ...result.candidate,
      line: line.text,
      lineNumber: line.lineNumber,
      mLineIndex: current?.index ?? -1,
      mid: current?.mid ?? null,
    })
  } else if (name === 'end-of-candidates') parsed.endOfCandidates = true
  else if (name === 'ice-lite') parsed.iceLite = true
  else if (name === 'ice-ufrag') parsed.iceUfrag ??= rest
  else if (name === 'ice-pwd') parsed.icePwd ??= rest
  else if (name === 'group' && rest.startsWith('BUNDLE')) parsed.bundle = rest.split(' ').slice(1)
  else if (current) {
    if (name === 'mid') current.mid = rest
    else if (name === 'bundle-only') current.bundleOnly = true
    else if (DIRECTIONS.has(name)) current.direction = name as SdpMediaSection['direction']
    else if (name === 'rtpmap') current.codecs.push(rest.split(' ')[1] ?? '')
  }
}
