/** Human rendering of `probe ice`, laid out like the WebRTC "trickle ICE" page. */
import type {IceGatherReport} from '../../ice/gather.js'
import type {Style} from '../style.js'
import {renderProblems, renderTally} from './checks.js'
import {table} from './table.js'

export function renderIceReport(report: IceGatherReport, style: Style): string {
  const policy = report.relayOnly ? 'relay only' : 'all'
  const done = report.complete
    ? `gathering complete in ${report.elapsedMs} ms`
    : `gathering stopped at the deadline (${report.elapsedMs} ms)`
  const lines = [`ICE candidates (policy ${policy}; ${done}; werift started in ${report.startupMs} ms)`, '']
  if (report.candidates.length === 0) lines.push('  (no candidates)')
  else {
    const header = ['ELAPSED', 'TYPE', 'PROTOCOL', 'ADDRESS', 'PORT', 'PRIORITY', 'RELAY PROTOCOL', 'SERVER'].map((h) =>
      style.bold(h),
    )
    const rows = report.candidates.map((c) => [
      `${Math.round(c.elapsedMs)} ms`,
      c.type,
      c.protocol,
      c.address,
      String(c.port),
      `${c.priorityParts.typePreference} | ${c.priorityParts.localPreference} | ${c.priorityParts.componentPart}`,
      c.relayProtocol ?? '',
      c.url ?? '',
    ])
    lines.push(table([header, ...rows], '  ', style.columns))
  }
  const s = report.summary
  lines.push('', `host ${s.host}, srflx ${s.srflx}, relay ${s.relay}${s.prflx > 0 ? `, prflx ${s.prflx}` : ''}`)
  const problems = renderProblems(report.checks, style)
  if (problems.length > 0) lines.push('', ...problems)
  lines.push('', style.dim(renderTally(report.checks)))
  return lines.join('\n')
}
