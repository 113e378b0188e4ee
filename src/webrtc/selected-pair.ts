/** The ICE candidate pair a werift peer selected, in the shape r58 reports it. */
import type {RTCPeerConnection} from 'werift'

export interface PairEnd {
  type: string
  transport: string
  address: string
  port: number
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
  return {
    local: end(pair.localCandidate),
    remote: end(pair.remoteCandidate),
    rttMs: pair.rtt === undefined ? null : Math.round(pair.rtt * 1000 * 10) / 10,
  }
}
