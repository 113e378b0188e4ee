/**
 * Network scope for werift peers. In `loopback` scope (tests, benchmarks, the lab) a peer gathers on
 * 127.0.0.1, and no connectivity check is ever sent to another address: werift lists every interface address
 * as a host candidate and offers no switch to stop that, so pairs that are not loopback on both ends are
 * filtered out, and candidates of other addresses are removed from SDP that leaves the process. In `any` scope
 * (production) werift behaves as a browser would.
 */
import type {CandidatePair} from 'werift'
import {isLoopbackAddress} from '../net/address-class.js'

export type NetworkScope = 'loopback' | 'any'

/** werift peer options for a scope (merge into the RTCPeerConnection config). */
export function peerNetworkConfig(scope: NetworkScope): Record<string, unknown> {
  if (scope === 'any') return {}
  return {
    iceUseIpv6: false,
    iceInterfaceAddresses: {udp4: '127.0.0.1'},
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceFilterCandidatePair: (pair: CandidatePair) =>
      isLoopbackAddress(pair.localCandidate.host) && isLoopbackAddress(pair.remoteCandidate.host),
  }
}

const CANDIDATE = /^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ \S+/

/** Removes `a=candidate` lines whose address is not loopback (in `loopback` scope). */
export function scopeSdp(sdp: string, scope: NetworkScope): string {
  if (scope === 'any') return sdp
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      const address = CANDIDATE.exec(line)?.[1]
      return address === undefined || isLoopbackAddress(address)
    })
    .join(eol)
}
