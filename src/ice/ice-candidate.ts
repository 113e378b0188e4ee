/**
 * ICE candidate lines (RFC 8839 §5.1) as the WebRTC "trickle ICE" page shows them: type, protocol, address,
 * port, priority (decoded as type preference | local preference | 256 − component), related address.
 */
import {type AddressCategory, classifyAddress} from '../net/address-class.js'
import {candidateBody} from '../sdp/sdp-candidate.js'

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

export interface ParsedCandidate {
  foundation: string
  component: number
  protocol: 'udp' | 'tcp'
  priority: number
  /** (type preference, local preference, 256 − component), as the trickle ICE page prints priority. */
  priorityParts: {typePreference: number; localPreference: number; componentPart: number}
  address: string
  port: number
  type: CandidateType
  relatedAddress?: string
  relatedPort?: number
  tcpType?: string
  addressCategory: AddressCategory
}

const TYPES = new Set<string>(['host', 'srflx', 'prflx', 'relay'])

/** Parses `candidate:…` (with or without the `a=` / `candidate:` prefix); undefined when malformed. */
export function parseCandidate(line: string): ParsedCandidate | undefined {
  const text = candidateBody(line)
  const parts = text.split(/\s+/)
  if (parts.length < 8 || parts[6] !== 'typ') return undefined
  const [foundation = '', componentText = '', protocolText = '', priorityText = '', address = '', portText = ''] = parts
  const type = parts[7] ?? ''
  const protocol = protocolText.toLowerCase()
  const component = Number(componentText)
  const priority = Number(priorityText)
  const port = Number(portText)
  if (!TYPES.has(type) || (protocol !== 'udp' && protocol !== 'tcp')) return undefined
  if (![component, priority, port].every(Number.isInteger)) return undefined
  const candidate: ParsedCandidate = {
    foundation,
    component,
    protocol,
    priority,
    priorityParts: {
      typePreference: Math.floor(priority / 2 ** 24),
      localPreference: Math.floor(priority / 2 ** 8) & 0xffff,
      componentPart: priority & 0xff,
    },
    address,
    port,
    type: type as CandidateType,
    addressCategory: classifyAddress(address).category,
  }
  for (let i = 8; i + 1 < parts.length; i += 2) {
    const key = parts[i]
    const value = parts[i + 1] as string
    if (key === 'raddr') candidate.relatedAddress = value
    else if (key === 'rport' && Number.isInteger(Number(value))) candidate.relatedPort = Number(value)
    else if (key === 'tcptype') candidate.tcpType = value
  }
  return candidate
}
