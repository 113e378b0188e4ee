/**
 * Human rendering of `r58 diagnose`: the five ways in, then every check, then one recommendation. What stops
 * everything (Ctrl-C, MediaMTX not reachable) leads instead of hiding under the tables.
 */

import type {DiagnoseReport} from '../../diagnose/diagnose-types.js'
import type {LabParts} from '../../sim/lab/lab.js'
import type {Style} from '../style.js'
import {table} from './table.js'

export interface DiagnoseView extends DiagnoseReport {
  /** Present with --lab: what the lab started. */
  lab?: LabParts
}

const STATUS_WORD: Partial<Record<string, string>> = {skip: 'not checked', unknown: 'out of time'}

export function renderDiagnose(report: DiagnoseView, style: Style): string {
  const out: string[] = []
  if (report.lab) {
    const {lab} = report
    out.push(
      style.bold('Lab (everything on loopback, no accounts):'),
      `  MediaMTX stand-in ${lab.mediamtx.whipUrl} (config ${lab.mediamtx.configPath}), Calls emulator ${lab.calls.apiBase}, relay ${lab.relay.url}, ${lab.coturn ? `coturn ${lab.coturn.turnUrl}` : 'no coturn (apt-get install coturn)'}`,
      '',
    )
  }
  const lan = report.checks.find((c) => c.id === 'lan.whip')
  if (report.cancelled || lan?.evidence.startsWith('MediaMTX is not reachable')) {
    out.push(style.bold(report.recommendation.text), '')
  }
  out.push(style.bold(`Which way can a guest reach MediaMTX at ${report.target.whipUrl}?`), '')
  const rows = report.options.map((o) => [
    style.glyph(o.status),
    o.title,
    style.status(o.status, STATUS_WORD[o.status] ?? o.status),
    o.evidence,
  ])
  // Evidence is cut to the terminal's width on a terminal only; pipes and logs get all of it.
  out.push(table(rows, '  ', style.columns))
  for (const o of report.options) if (o.fix && o.status !== 'pass') out.push(`  ${style.dim(`${o.id} fix:`)} ${o.fix}`)
  out.push('', style.bold('Checks'))
  out.push(
    table(
      report.checks.map((c) => [style.glyph(c.status), c.id, style.dim(`${c.durationMs} ms`), c.evidence]),
      '  ',
      style.columns,
    ),
  )
  out.push('', `${style.bold('Recommendation:')} ${report.recommendation.text}`)
  if (report.recommendation.fix) out.push(`  ${style.bold('fix:')} ${report.recommendation.fix}`)
  return out.join('\n')
}
