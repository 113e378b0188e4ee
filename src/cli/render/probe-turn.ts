/** Human rendering of `probe turn`: one row per URL and transport, then the problems and their fixes. */
import {formatEndpoint} from '../../net/endpoint.js'
import type {TurnProbeReport, TurnTargetResult} from '../../turn/turn-probe.js'
import type {Style} from '../style.js'
import {renderProblems, renderTally, worstStatus} from './checks.js'
import {table} from './table.js'

function echoCell(result: TurnTargetResult): string {
  const echo = result.echo
  if (!echo) return '-'
  if (echo.outcome === 'permission-denied') return 'permission refused'
  const rtt = echo.rttMs ? ` ${echo.rttMs.min}/${echo.rttMs.median}/${echo.rttMs.max} ms` : ''
  return `${echo.received}/${echo.sent}${rtt}`
}

export function renderTurnReport(report: TurnProbeReport, style: Style): string {
  const lines: string[] = []
  const who = report.username === null ? '' : ` as ${report.username}`
  const realm = report.results.find((r) => r.realm)?.realm
  const source = report.source === 'cloudflare' ? ' (credentials from Cloudflare TURN)' : ''
  lines.push(`TURN probe: ${report.results.length} URL(s)${who}${realm ? `, realm ${realm}` : ''}${source}`)
  if (report.results.length > 0) {
    const header = ['', 'URL', 'TRANSPORT', 'OUTCOME', 'RELAYED', 'RTT', 'ECHO (rtt min/med/max)', 'SERVER'].map((h) =>
      style.bold(h),
    )
    const rows = report.results.map((result) => {
      const statuses = report.checks.filter((c) => c.data?.['url'] === result.url).map((c) => c.status)
      const outcome = result.outcome === 'ok' ? 'ok' : `${result.outcome}${result.step ? ` (${result.step})` : ''}`
      return [
        style.glyph(worstStatus(statuses)),
        result.url,
        result.transport,
        outcome,
        result.relayedAddress ? formatEndpoint(result.relayedAddress) : '-',
        result.rttMs === undefined ? '-' : `${result.rttMs} ms`,
        echoCell(result),
        result.software ?? '',
      ]
    })
    lines.push('', table([header, ...rows], '  ', style.columns))
  }
  const problems = renderProblems(report.checks, style)
  if (problems.length > 0) lines.push('', ...problems)
  for (const warning of report.warnings) lines.push(`${style.glyph('warn')} ${warning}`)
  const held = report.results.filter((r) => r.relayedAddress !== undefined)
  const freed = held.filter((r) => r.freed).length
  const tail = held.length > 0 ? `; ${freed}/${held.length} allocations freed` : ''
  lines.push('', style.dim(`${renderTally(report.checks)}${tail}`))
  return lines.join('\n')
}
