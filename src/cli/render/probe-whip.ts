/** Human rendering of `r58 probe whip`: candidates, verdict with its fix, timeline, checks. */
import type {VerdictScope} from '../../sdp/verdict.js'
import type {WhipProbeReport} from '../../whip/probe.js'
import type {Style} from '../style.js'
import {table} from './table.js'

const SCOPE_TITLE: Record<VerdictScope, string> = {
  anywhere: 'guests can publish from anywhere',
  'lan+tailnet': 'this LAN and the tailnet only',
  lan: 'this LAN only',
  'this-host': 'this machine only',
  none: 'nobody',
}

export function renderWhipProbe(report: WhipProbeReport, style: Style): string {
  const out: string[] = []
  const server = report.server.kind === 'mediamtx' ? 'MediaMTX' : 'WHIP server'
  out.push(
    style.bold(`WHIP probe of ${report.url}`) +
      style.dim(` (${server}${report.server.id ? `, session ${report.server.id}` : ''})`),
  )

  if (report.candidates.length > 0) {
    out.push('', style.bold('Candidates in the answer'))
    const rows = [['type', 'address', 'kind', 'scope', 'probe'].map((h) => style.dim(h))]
    for (const c of report.candidates) {
      const kind = `${c.category}${c.documentation ? ' (TEST-NET)' : ''}${c.tcpType ? `, tcp ${c.tcpType}` : ''}`
      const pair = report.selectedPair
      const selected = pair !== null && pair.remote.address === c.address && pair.remote.port === c.port
      const probe = c.used ? (selected ? style.status('pass', 'selected') : 'tried') : style.dim(c.skipReason ?? '')
      rows.push([c.type, c.label, kind, c.scope, probe])
    }
    out.push(table(rows, '  ', style.columns))
  }

  if (report.verdict) {
    const v = report.verdict
    const status = v.scope === 'anywhere' ? 'pass' : v.scope === 'none' ? 'fail' : 'warn'
    out.push('', `${style.glyph(status)} ${style.bold(`Verdict: ${SCOPE_TITLE[v.scope]}`)}`, `  ${v.text}`)
    if (v.fix) out.push(`  ${style.bold('Fix:')} ${v.fix}`)
  }

  if (report.timeline.length > 0) {
    out.push('', style.bold('Timeline'))
    out.push(
      table(
        report.timeline.map((t) => [`${t.at} ms`.padStart(8), t.event, t.detail]),
        '',
      ),
    )
  }

  out.push('', style.bold('Checks'))
  out.push(
    table(
      report.checks.map((c) => [style.glyph(c.status), c.id, style.status(c.status, c.evidence)]),
      '  ',
    ),
  )
  const fixes = report.checks.filter((c) => c.status === 'fail' && c.fix)
  for (const c of fixes) out.push(`  ${style.bold('Try this:')} ${c.fix}`)
  return out.join('\n')
}
