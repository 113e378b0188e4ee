/**
 * Where a werift peer may send. r58's tests and its MediaMTX stand-in must only ever talk to loopback, while the
 * answers they analyse may list LAN or public addresses that nothing here may be sent to. Three layers keep
 * packets on loopback:
 * 1. candidates the peer may not use are removed from the remote SDP before werift sees it (werift would
 *    otherwise resolve `.local` names by multicast DNS and send checks to every address);
 * 2. `iceFilterCandidatePair` refuses any pair whose remote address is not allowed (peer-reflexive candidates,
 *    trickled candidates);
 * 3. in loopback mode every socket is bound to 127.0.0.1, so the kernel itself refuses other destinations.
 */
import {Connection, type PeerConfig} from 'werift'
import {isLoopbackAddress} from '../net/address-class.js'
import {isCandidateLine, parseCandidate} from '../sdp/sdp-candidate.js'
import {parseSdpDocument, removeLines, serializeSdp} from '../sdp/sdp-document.js'

/** werift settings that gather only one loopback host candidate (127.0.0.1), bind there, and pair only with loopback. */
export function loopbackPeerConfig(address = '127.0.0.1'): Partial<PeerConfig> {
  disableStunFallback()
  return {
    // werift's default is stun.l.google.com; callers that have loopback ICE servers pass them after this.
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [address],
    iceInterfaceAddresses: {udp4: address},
    iceFilterCandidatePair: (pair) => isLoopbackAddress(pair.remoteCandidate.host),
  }
}

/** Drops `a=candidate` lines whose address `allow` rejects, and every line that is not a valid candidate. */
export function keepRemoteCandidates(sdp: string, allow: (address: string) => boolean): string {
  const document = parseSdpDocument(sdp)
  removeLines(document, (line) => {
    if (!isCandidateLine(line)) return false
    const parsed = parseCandidate(line.text)
    return !('candidate' in parsed && allow(parsed.candidate.address))
  })
  return serializeSdp(document)
}

let fallbackDisabled = false

/**
 * werift's ICE agent falls back to stun.l.google.com:19302 when no STUN server is configured (`iceServers: []`
 * is not enough): every gathering resolves that name and sends it a binding request. r58 never wants that, so
 * this removes the fallback for every werift peer of the process; a STUN server that was configured is kept.
 */
export function disableStunFallback(): void {
  if (fallbackDisabled) return
  fallbackDisabled = true
  const gather = Connection.prototype.gatherCandidates
  Connection.prototype.gatherCandidates = function (this: Connection) {
    if (this.options.stunServer === undefined) delete this.stunServer
    return gather.call(this)
  }
}
