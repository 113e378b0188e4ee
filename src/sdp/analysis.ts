/**
 * Answer analysis: every `a=candidate` of a WHIP answer, classified by who can reach it. This is the heart of
 * the remote-guest problem: MediaMTX answers 201 to anyone the HTTP tunnel lets through, but media can only
 * flow to the addresses its answer lists.
 */
import {type AddressCategory, type AddressScope, classifyAddress} from '../net/address-class.js'
import {candidateLabel} from './sdp-candidate.js'
import {type ParsedSdp, parseSdp, type SdpCandidateLine} from './sdp-session.js'

export interface AnalyzedCandidate {
  /** `192.168.1.58:8189/udp` */
  label: string
  address: string
  port: number
  transport: 'udp' | 'tcp'
  tcpType: 'active' | 'passive' | 'so' | null
  type: 'host' | 'srflx' | 'prflx' | 'relay'
  component: number
  priority: number
  mid: string | null
  /** The `a=candidate` line as the server wrote it. */
  line: string
  lineNumber: number
  category: AddressCategory
  scope: AddressScope
  family: 4 | 6 | null
  /** RFC 5737 / RFC 3849 documentation ranges (TEST-NET): never routable anywhere. */
  documentation: boolean
}

export interface AnswerAnalysis {
  candidates: AnalyzedCandidate[]
  media: ParsedSdp['media']
  endOfCandidates: boolean
  iceLite: boolean
}

/** 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 and 3fff::/20 (see net/address-class). */
export function isDocumentationAddress(address: string): boolean {
  return classifyAddress(address).category === 'documentation'
}

export function classifyCandidate(candidate: SdpCandidateLine): AnalyzedCandidate {
  const klass = classifyAddress(candidate.address)
  return {
    label: candidateLabel(candidate),
    address: candidate.address,
    port: candidate.port,
    transport: candidate.transport,
    tcpType: candidate.tcpType,
    type: candidate.type,
    component: candidate.component,
    priority: candidate.priority,
    mid: candidate.mid,
    line: candidate.line,
    lineNumber: candidate.lineNumber,
    category: klass.category,
    scope: klass.scope,
    family: klass.family,
    documentation: isDocumentationAddress(candidate.address),
  }
}

/** Classifies every candidate of a parsed SDP. */
export function classifyCandidates(sdp: ParsedSdp): AnalyzedCandidate[] {
  return sdp.candidates.map(classifyCandidate)
}

/** Parses an answer (throwing on a malformed line, quoted) and classifies its candidates. */
export function analyzeAnswer(text: string): AnswerAnalysis {
  const sdp = parseSdp(text, 'answer')
  return {
    candidates: classifyCandidates(sdp),
    media: sdp.media,
    endOfCandidates: sdp.endOfCandidates,
    iceLite: sdp.iceLite,
  }
}
