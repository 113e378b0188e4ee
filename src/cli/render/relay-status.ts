/** Human rendering of `relay status`. */
import {MEDIA_ROUTE} from '../../relay/mode.js'
import type {RelayStatus} from '../../relay/status.js'
import type {Style} from '../style.js'
import {table} from './table.js'

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

export function renderRelayStatus(status: RelayStatus, style: Style): string {
  let head = `${style.glyph('pass')} relay at ${status.url} is healthy, ${status.sessions.length} session(s)`
  // issue 14: which mode carries the guests, and where their media flows.
  if (status.mode) {
    head += `\n  mode ${status.mode}: ${MEDIA_ROUTE[status.mode]}; relay UDP sockets: ${status.udpSockets ?? '?'}`
    if (status.modeReason) head += `\n  ${style.dim(status.modeReason)}`
  }
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
    s.media?.mode === 'whep'
      ? `direct (${s.media.pulls ?? 0} WHEP pull(s))`
      : `${s.legs.fromCalls.packets} pkts / ${kb(s.legs.fromCalls.bytes)} / ${s.legs.fromCalls.lost} lost`,
    s.media?.mode === 'whep'
      ? `${kb(s.media.inboundBytes ?? 0)} in ${s.media.mediamtxPath}`
      : `${s.legs.toMediamtx.packets} pkts / ${kb(s.legs.toMediamtx.bytes)}`,
    s.since,
  ])
  return `${head}\n\n${table([['PATH', 'GUEST', 'STATE', 'CODECS', 'FROM CALLS', 'TO MEDIAMTX', 'SINCE'].map((h) => style.bold(h)), ...rows], '', style.columns)}`
}
