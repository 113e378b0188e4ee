/** The ICE candidate pair a werift peer selected, in the shape r58 reports it. */
import type {RTCPeerConnection} from 'werift'

export interface PairEnd {
  type: string
  transport: string
  address: string
  port: number
  /**
   * For a local relay candidate: how this host reaches the TURN server (`udp`, `tcp`, `tls`), as in WebRTC
   * stats. werift falls back from TURN/UDP to TURN/TCP silently, so only this says which carried the media.
   */
  relayProtocol?: 'udp' | 'tcp' | 'tls'
}

export interface SelectedPair {
  local: PairEnd
  remote: PairEnd
  /** Current round-trip time of the pair's STUN checks, in ms, when measured. */
  rttMs: number | null
}

/** MediaMTX's API form of a candidate: `host/udp/192.168.1.58/8189`. */
export function pairEndLabel(end: PairEnd): string {
  return `${end.type}/${end.transport}/${end.address}/${end.port}`
}

export function selectedPair(pc: RTCPeerConnection): SelectedPair | null {
  const connection = pc.iceTransports[0]?.connection
  if (!connection) return null
  const pair = connection.nominated ?? connection.candidatePairs.find((p) => p.state === 3)
  if (!pair) return null
  const end = (c: {type: string; transport: string; host: string; port: number}): PairEnd => ({
    type: c.type,
    transport: c.transport.toLowerCase(),
    address: c.host,
    port: c.port,
  })
  const local = end(pair.localCandidate)
  const relayProtocol = turnTransportOf(pair)
  if (local.type === 'relay' && relayProtocol) local.relayProtocol = relayProtocol
  return {
    local,
    remote: end(pair.remoteCandidate),
    rttMs: pair.rtt === undefined ? null : Math.round(pair.rtt * 1000 * 10) / 10,
  }
}

/** The transport of the TURN client behind a relay pair (werift: pair.protocol.turn.transport.type). */
function turnTransportOf(pair: object): PairEnd['relayProtocol'] | undefined {
  const type = (pair as {protocol?: {turn?: {transport?: {type?: unknown}}}}).protocol?.turn?.transport?.type
  return type === 'udp' || type === 'tcp' || type === 'tls' ? type : undefined
}
