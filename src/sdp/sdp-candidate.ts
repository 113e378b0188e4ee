/**
 * ICE candidates as SDP carries them (`a=candidate:…`, RFC 8839): parsed with werift's parser, then checked
 * field by field, because werift accepts anything with enough fields (a port of "x" becomes NaN).
 */
import {candidateFromSdp} from 'werift'
import {attributeLine, isAttribute, type SdpLine} from './sdp-document.js'

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'
export type TcpType = 'active' | 'passive' | 'so'

export interface SdpCandidate {
  foundation: string
  component: number
  transport: 'udp' | 'tcp'
  /** ICE-TCP role (RFC 6544); null for UDP. */
  tcpType: TcpType | null
  priority: number
  /** IP address, `<uuid>.local` or a host name, as written. */
  address: string
  port: number
  type: CandidateType
  relatedAddress: string | null
  relatedPort: number | null
}

const TYPES = new Set<string>(['host', 'srflx', 'prflx', 'relay'])
const TCP_TYPES = new Set<string>(['active', 'passive', 'so'])

/** The candidate text without `a=` and `candidate:` prefixes. */
export function candidateBody(text: string): string {
  return text
    .trim()
    .replace(/^a=/, '')
    .replace(/^candidate:/, '')
}

/**
 * Parses one candidate (`a=candidate:…`, `candidate:…` or the bare attribute value). Returns the reason
 * when the text is not a valid candidate, so callers can quote the offending line.
 */
export function parseCandidate(text: string): {candidate: SdpCandidate} | {error: string} {
  const body = candidateBody(text)
  const fields = body.split(/\s+/)
  if (fields.length < 8) return {error: 'a candidate needs at least 8 fields'}
  let parsed: ReturnType<typeof candidateFromSdp>
  try {
    parsed = candidateFromSdp(body)
  } catch (error) {
    return {error: error instanceof Error ? error.message : String(error)}
  }
  const transport = parsed.protocol.toLowerCase()
  if (transport !== 'udp' && transport !== 'tcp') return {error: `unknown transport "${parsed.protocol}"`}
  if (!/^\d+$/.test(fields[1] ?? '') || parsed.component < 1) return {error: `bad component "${fields[1]}"`}
  if (!/^\d+$/.test(fields[3] ?? '') || parsed.priority > 0xffffffff) return {error: `bad priority "${fields[3]}"`}
  if (!/^\d+$/.test(fields[5] ?? '') || parsed.port > 65535) return {error: `bad port "${fields[5]}"`}
  if (fields[6] !== 'typ' || !TYPES.has(parsed.type)) return {error: `bad candidate type "${fields[7]}"`}
  if (!parsed.ip) return {error: 'no address'}
  const tcpType = parsed.tcpType && TCP_TYPES.has(parsed.tcpType) ? (parsed.tcpType as TcpType) : null
  return {
    candidate: {
      foundation: parsed.foundation,
      component: parsed.component,
      transport,
      tcpType: transport === 'tcp' ? tcpType : null,
      priority: parsed.priority,
      address: parsed.ip,
      port: parsed.port,
      type: parsed.type as CandidateType,
      relatedAddress: parsed.relatedAddress ?? null,
      relatedPort: parsed.relatedPort ?? null,
    },
  }
}

/** `192.168.1.58:8189/udp`, `[fd7a::1]:8189/tcp`: how people and MediaMTX's docs write an ICE address. */
export function candidateLabel(c: Pick<SdpCandidate, 'address' | 'port' | 'transport'>): string {
  const host = c.address.includes(':') ? `[${c.address}]` : c.address
  return `${host}:${c.port}/${c.transport}`
}

/** The `a=candidate` line for a candidate (RFC 8839 order). */
export function formatCandidate(c: SdpCandidate): string {
  const parts = [`candidate:${c.foundation}`, c.component, c.transport, c.priority, c.address, c.port, 'typ', c.type]
  if (c.relatedAddress !== null) parts.push('raddr', c.relatedAddress, 'rport', c.relatedPort ?? 0)
  if (c.tcpType !== null) parts.push('tcptype', c.tcpType)
  return `a=${parts.join(' ')}`
}

/** Whether a line is an `a=candidate:…`. */
export function isCandidateLine(line: SdpLine): boolean {
  return isAttribute(line, 'candidate')
}

/** The `a=candidate` line for a candidate given as `a=candidate:…`, `candidate:…` or the bare attribute value. */
export function candidateLine(text: string): SdpLine {
  return attributeLine('candidate', candidateBody(text))
}
