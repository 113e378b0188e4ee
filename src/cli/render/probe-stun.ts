/** Human rendering of `probe stun`: one row per server, then the NAT mapping verdict. */
import {formatEndpoint} from '../../net/endpoint.js'
import type {StunProbeReport} from '../../stun/stun-probe.js'
import type {Style} from '../style.js'
import {renderProblems, renderTally} from './checks.js'
import {table} from './table.js'

export function renderStunReport(report: StunProbeReport, style: Style): string {
  const local = report.mapping.local ? ` from ${formatEndpoint(report.mapping.local)} (UDP)` : ''
  const lines = [`STUN probe${local}`, '']
  const header = ['', 'URL', 'TRANSPORT', 'MAPPED ADDRESS', 'RTT min/med/max', 'ANSWERED', 'SERVER'].map((h) =>
    style.bold(h),
  )
  const rows = report.results.map((result) => [
    style.glyph(result.outcome === 'ok' ? 'pass' : 'fail'),
    result.url,
    result.transport,
    result.mapped ? formatEndpoint(result.mapped) : '-',
    result.rttMs ? `${result.rttMs.min}/${result.rttMs.median}/${result.rttMs.max} ms` : '-',
    `${result.received}/${result.sent}`,
    result.outcome === 'ok' ? (result.software ?? '') : `${result.outcome}${result.step ? ` (${result.step})` : ''}`,
  ])
  lines.push(table([header, ...rows], '  ', style.columns))
  const mappingCheck = report.checks.find((c) => c.id === 'stun.mapping')
  lines.push('', `NAT: ${style.glyph(mappingCheck?.status ?? 'skip')} ${report.mapping.verdict}`)
  lines.push(`     ${style.dim(report.mapping.basis)}`)
  const problems = renderProblems(
    report.checks.filter((c) => c.id !== 'stun.mapping'),
    style,
  )
  if (problems.length > 0) lines.push('', ...problems)
  lines.push('', style.dim(renderTally(report.checks)))
  return lines.join('\n')
}
