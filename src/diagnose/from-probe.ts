/**
 * A WHIP probe as one diagnose check. Causes stay apart: a LAN probe that fails is a LAN problem (MediaMTX,
 * its UDP port, its DTLS), never the remote-guest fix that the answer's verdict prescribes.
 */
import type {CheckFailure, CheckOutcome} from '../report/check.js'
import type {SelectedPair} from '../webrtc/selected-pair.js'
import type {WhipProbeReport} from '../whip/probe.js'
import {r58Command} from './fix-command.js'

export const describePair = (pair: SelectedPair | null) =>
  pair
    ? `${pair.local.type} ${pair.local.address}:${pair.local.port}/${pair.local.transport}${pair.local.relayProtocol ? ` (TURN/${pair.local.relayProtocol.toUpperCase()})` : ''} ↔ ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}/${pair.remote.transport}`
    : 'no pair selected'

/** Fixes for a probe from this box to MediaMTX on its own network, by the step that failed. */
const LAN_FIX: Record<string, string> = {
  'whip.ice':
    'MediaMTX’s WebRTC UDP port did not answer from this box: check webrtcLocalUDPAddress and the host firewall (r58 mediamtx check reads the file).',
  'whip.dtls':
    'ICE connected, but the DTLS handshake did not finish: a LAN problem, not the remote-guest one. Look for DTLS errors in MediaMTX’s log, check that nothing else listens on its UDP port, and rerun.',
  'whip.media': 'The connection was up but no media left: rerun; if it persists, report it with the --json output.',
}

export interface FromProbeOptions {
  /** What the probe stands for: `lan` (this box, its network) or `remote` (a guest elsewhere). */
  role: 'lan' | 'remote'
}

export function fromProbe(
  report: WhipProbeReport,
  what: string,
  options: FromProbeOptions,
): CheckOutcome | CheckFailure {
  const data = {
    selectedPair: report.selectedPair,
    verdict: report.verdict,
    candidates: report.candidates.map((c) => c.label),
  }
  const ice = report.checks.find((c) => c.id === 'whip.ice')
  if (ice?.status === 'skip' && !report.checks.some((c) => c.status === 'fail')) {
    // The probe set every candidate aside: not tried, and why; neither a pass nor a failure.
    return {status: 'skip', evidence: `${what}: ${ice.evidence}`, data}
  }
  if (report.ok) {
    return {status: 'pass', evidence: `${what}: connected via ${describePair(report.selectedPair)}`, data}
  }
  const failed = report.checks.find((c) => c.status === 'fail')
  const fix =
    options.role === 'lan'
      ? (LAN_FIX[failed?.id ?? ''] ?? failed?.fix)
      : (failed?.fix ?? report.verdict?.fix ?? undefined)
  return {
    status: 'fail',
    ...(failed?.failure !== undefined && {failure: failed.failure}),
    evidence: failed ? `${failed.title}: ${failed.evidence}` : `${what} failed`,
    ...(fix !== undefined && fix !== null && {fix}),
    data: {...data, failedStep: failed?.id ?? null},
  }
}

/**
 * A publish from the box to its own tailnet address never crosses the tailnet (it passed with tailnet UDP
 * dropped): it proves MediaMTX takes the address, not that a tailnet peer gets through. At best a warning
 * whose fix is the probe to run on a tailnet device.
 */
export function tailnetSelfTest(
  outcome: CheckOutcome | CheckFailure,
  endpoint: string,
  mtu: number,
): CheckOutcome | CheckFailure {
  if (outcome.status !== 'pass') return {...outcome, evidence: `local self-test: ${outcome.evidence}`}
  return {
    status: 'warn',
    evidence: `local self-test only (packets never left this box): ${outcome.evidence}; the tailnet path is proven only from a tailnet peer; tailnet MTU ${mtu} bytes, keep RTP payloads ≤ 1200`,
    fix: r58Command(['probe', 'whip', endpoint]),
    data: {...outcome.data, selfTest: true},
  }
}
