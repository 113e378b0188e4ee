/** Prometheus text exposition (version 0.0.4) of the relay's sessions and request counters. */
import type {RelaySessionInfo} from './engine.js'

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

export function renderMetrics(
  sessions: readonly RelaySessionInfo[],
  counters: {requests: number; rejected: ReadonlyMap<number, number>},
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
  const perSession = (pick: (s: RelaySessionInfo) => number): [string, number][] =>
    sessions.map((s) => [`{path="${escapeLabel(s.path)}",session="${s.id}"}`, pick(s)])
  metric(
    'r58_relay_received_packets_total',
    'counter',
    'RTP packets received from Calls.',
    perSession((s) => s.legs.fromCalls.packets),
  )
  metric(
    'r58_relay_received_bytes_total',
    'counter',
    'RTP payload bytes received from Calls.',
    perSession((s) => s.legs.fromCalls.bytes),
  )
  metric(
    'r58_relay_lost_packets_total',
    'counter',
    'RTP packets missing in sequence from Calls.',
    perSession((s) => s.legs.fromCalls.lost),
  )
  metric(
    'r58_relay_sent_packets_total',
    'counter',
    'RTP packets sent to MediaMTX.',
    perSession((s) => s.legs.toMediamtx.packets),
  )
  metric(
    'r58_relay_sent_bytes_total',
    'counter',
    'RTP payload bytes sent to MediaMTX.',
    perSession((s) => s.legs.toMediamtx.bytes),
  )
  metric(
    'r58_relay_keyframe_requests_total',
    'counter',
    'Keyframe requests forwarded to guests.',
    perSession((s) => s.keyframeRequests),
  )
  metric(
    'r58_relay_republishes_total',
    'counter',
    'WHIP republishes after MediaMTX dropped a session.',
    perSession((s) => s.republishes),
  )
  metric('r58_relay_http_requests_total', 'counter', 'HTTP requests received.', [['', counters.requests]])
  metric(
    'r58_relay_http_rejected_total',
    'counter',
    'HTTP requests answered with an error.',
    [...counters.rejected].map(([status, n]) => [`{status="${status}"}`, n]),
  )
  return `${lines.join('\n')}\n`
}
