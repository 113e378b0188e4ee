/**
 * Prometheus text exposition (version 0.0.4) of the relay's sessions and request counters. Labels are
 * bounded enums only (session state, HTTP status): no session ids, paths or guests, so the series do not
 * grow with traffic and a public /metrics names no one.
 */
import type {RelaySessionInfo} from './engine.js'

/** Traffic summed over sessions; the engine keeps the sum of ended sessions so the counters never go back. */
export interface TrafficTotals {
  receivedPackets: number
  receivedBytes: number
  lostPackets: number
  sentPackets: number
  sentBytes: number
  keyframeRequests: number
  republishes: number
}

export function totalsOf(sessions: readonly RelaySessionInfo[], base?: TrafficTotals): TrafficTotals {
  const total: TrafficTotals = base
    ? {...base}
    : {
        receivedPackets: 0,
        receivedBytes: 0,
        lostPackets: 0,
        sentPackets: 0,
        sentBytes: 0,
        keyframeRequests: 0,
        republishes: 0,
      }
  for (const s of sessions) {
    total.receivedPackets += s.legs.fromCalls.packets
    total.receivedBytes += s.legs.fromCalls.bytes
    total.lostPackets += s.legs.fromCalls.lost
    total.sentPackets += s.legs.toMediamtx.packets
    total.sentBytes += s.legs.toMediamtx.bytes
    total.keyframeRequests += s.keyframeRequests
    total.republishes += s.republishes
  }
  return total
}

export function renderMetrics(
  sessions: readonly RelaySessionInfo[],
  counters: {requests: number; rejected: ReadonlyMap<number, number>; ended?: TrafficTotals | undefined},
): string {
  const lines: string[] = []
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
  }
  const byState = new Map<string, number>()
  for (const s of sessions) byState.set(s.state, (byState.get(s.state) ?? 0) + 1)
  metric(
    'r58_relay_sessions',
    'gauge',
    'Guest sessions by state.',
    [...byState].map(([state, n]) => [`{state="${state}"}`, n]),
  )
  const totals = totalsOf(sessions, counters.ended)
  const counter = (name: string, help: string, value: number) => metric(name, 'counter', help, [['', value]])
  counter('r58_relay_received_packets_total', 'RTP packets received from Calls.', totals.receivedPackets)
  counter('r58_relay_received_bytes_total', 'RTP payload bytes received from Calls.', totals.receivedBytes)
  counter('r58_relay_lost_packets_total', 'RTP packets missing in sequence from Calls.', totals.lostPackets)
  counter('r58_relay_sent_packets_total', 'RTP packets sent to MediaMTX.', totals.sentPackets)
  counter('r58_relay_sent_bytes_total', 'RTP payload bytes sent to MediaMTX.', totals.sentBytes)
  counter('r58_relay_keyframe_requests_total', 'Keyframe requests forwarded to guests.', totals.keyframeRequests)
  counter('r58_relay_republishes_total', 'WHIP republishes after MediaMTX dropped a session.', totals.republishes)
  counter('r58_relay_http_requests_total', 'HTTP requests received.', counters.requests)
  metric(
    'r58_relay_http_rejected_total',
    'counter',
    'HTTP requests answered with an error.',
    [...counters.rejected].map(([status, n]) => [`{status="${status}"}`, n]),
  )
  return `${lines.join('\n')}\n`
}
