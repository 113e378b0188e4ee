/**
 * The fifth way in: a public address with a forwarded UDP port. STUN finds the box's public address; MediaMTX
 * must advertise it (webrtcAdditionalHosts); and only a guest outside the NAT can prove the router forwards
 * the port: the relay-only guest, whose packets come from the TURN server's relay address.
 */
import {classifyAddress} from '../net/address-class.js'
import type {CheckFailure, CheckOutcome} from '../report/check.js'
import type {AnalyzedCandidate} from '../sdp/analysis.js'
import type {StunProbeReport} from '../stun/stun-probe.js'
import type {SelectedPair} from '../webrtc/selected-pair.js'

export interface PublicAddress {
  address: string
  /** The STUN server that saw it. */
  via: string
}

/** forward.public-address: what STUN saw, and whether that is a public address at all. */
export function publicAddressOutcome(
  report: StunProbeReport | undefined,
  servers: readonly string[],
): {outcome: CheckOutcome | CheckFailure; found?: PublicAddress} {
  if (!report || servers.length === 0) {
    return {
      outcome: {
        status: 'skip',
        evidence: 'no STUN or TURN server to learn the public address from',
        fix: 'Give a STUN server with --stun-urls (or TURN servers with --turn-urls).',
      },
    }
  }
  const answered = report.results.filter((r) => r.outcome === 'ok' && r.mapped)
  if (answered.length === 0) {
    // Not learning the address is not a verdict on the forwarded port: not checked, and why.
    const first = report.results[0]
    return {
      outcome: {
        status: 'skip',
        evidence: `not checked: no STUN answer from ${servers.join(', ')}${first ? ` (${first.message})` : ''}`,
      },
    }
  }
  const mapped = answered[0]?.mapped as NonNullable<(typeof answered)[number]['mapped']>
  const scope = classifyAddress(mapped.address).scope
  const via = answered[0]?.url ?? servers[0] ?? ''
  if (scope !== 'internet') {
    return {
      outcome: {
        status: 'skip',
        evidence: `${via} sees this box as ${mapped.address} (${scope}), not a public address: nothing to forward from there`,
      },
    }
  }
  return {
    outcome: {
      status: 'pass',
      evidence: `${via} sees this box as ${mapped.address}:${mapped.port}`,
      data: {address: mapped.address, port: mapped.port, via},
    },
    found: {address: mapped.address, via},
  }
}

/** forward.advertised: MediaMTX's answer lists the public address. */
export function advertisedOutcome(
  found: PublicAddress | undefined,
  answer: readonly Pick<AnalyzedCandidate, 'address' | 'label' | 'transport' | 'port'>[],
  fix: (address: string) => string,
): CheckOutcome | CheckFailure {
  if (!found) return {status: 'skip', evidence: 'no public address known (see forward.public-address)'}
  if (answer.length === 0) return {status: 'skip', evidence: 'no WHIP answer to analyse (see lan.whip)'}
  const listed = answer.filter((c) => c.address === found.address)
  if (listed.length > 0) {
    return {status: 'pass', evidence: `MediaMTX advertises ${listed.map((c) => c.label).join(', ')}`}
  }
  const udpPort = answer.find((c) => c.transport === 'udp')?.port
  return {
    status: 'fail',
    evidence: `MediaMTX does not advertise the public address ${found.address} (its answer lists ${[...new Set(answer.map((c) => c.label))].join(', ')}); a forwarded port is of no use until it does${udpPort ? `, and the router must forward UDP ${udpPort} to this box` : ''}`,
    fix: fix(found.address),
  }
}

/** forward.relay-only: did a guest outside the NAT (through TURN) reach the public address? */
export function forwardedOutcome(
  found: PublicAddress | undefined,
  advertised: boolean,
  relayOnly: {ran: boolean; pair: SelectedPair | null; connected: boolean; evidence: string},
): CheckOutcome | CheckFailure {
  if (!found || !advertised)
    return {status: 'skip', evidence: 'MediaMTX does not advertise a public address (see forward.advertised)'}
  if (!relayOnly.ran) return {status: 'skip', evidence: `not tried: ${relayOnly.evidence}`}
  const remote = relayOnly.pair?.remote
  if (relayOnly.connected && remote?.address === found.address) {
    return {
      status: 'pass',
      evidence: `a relay-only guest (through TURN, from outside the NAT) reached ${remote.address}:${remote.port}/${remote.transport}: the router forwards it`,
    }
  }
  if (relayOnly.connected) {
    return {
      status: 'skip',
      evidence: `not proven: the relay-only guest connected through MediaMTX’s ${remote?.type ?? '?'} ${remote?.address ?? '?'}, not ${found.address}`,
    }
  }
  return {
    status: 'fail',
    evidence: `a relay-only guest (through TURN) got no answer from ${found.address}: the router does not forward the UDP port to this box, or a firewall drops it (${relayOnly.evidence})`,
    fix: 'Forward MediaMTX’s WebRTC UDP port (webrtcLocalUDPAddress, 8189 by default) on the router to this box, and allow it in the firewall.',
  }
}
