/** Human rendering of `relay status`. */
import type {RelayStatus} from '../../relay/status.js'
import type {Style} from '../style.js'
import {table} from './table.js'

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

export function renderRelayStatus(status: RelayStatus, style: Style): string {
  const head = `${style.glyph('pass')} relay at ${status.url} is healthy, ${status.sessions.length} session(s)`
  if (status.sessions.length === 0) return head
  const rows = status.sessions.map((s) => [
    s.path,
    s.guest,
    s.state === 'live'
      ? style.status('pass', s.state)
      : s.state === 'closed'
        ? style.dim(s.state)
        : style.status('warn', s.state),
    s.tracks.map((t) => t.codec).join('+') || '-',
    `${s.legs.fromCalls.packets} pkts / ${kb(s.legs.fromCalls.bytes)} / ${s.legs.fromCalls.lost} lost`,
    `${s.legs.toMediamtx.packets} pkts / ${kb(s.legs.toMediamtx.bytes)}`,
    s.since,
  ])
  return `${head}\n\n${table([['PATH', 'GUEST', 'STATE', 'CODECS', 'FROM CALLS', 'TO MEDIAMTX', 'SINCE'].map((h) => style.bold(h)), ...rows], '', style.columns)}`
}
