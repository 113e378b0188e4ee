/** Human rendering of `mediamtx check`, `mediamtx configure` and `mediamtx turn-refresh`. */

import type {ConfigureRunResult} from '../../mediamtx/configure-request.js'
import type {MediamtxCheckReport} from '../../mediamtx/mediamtx-check.js'
import type {TurnRefreshResult} from '../../mediamtx/turn-refresh.js'
import type {Style} from '../style.js'
import {table} from './table.js'

function colourDiff(diff: string, style: Style): string {
  return diff
    .trimEnd()
    .split('\n')
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? style.bold(line)
        : line.startsWith('+')
          ? style.chalk.green(line)
          : line.startsWith('-')
            ? style.chalk.red(line)
            : line.startsWith('@@')
              ? style.chalk.cyan(line)
              : line,
    )
    .join('\n')
}

export function renderMediamtxCheck(report: MediamtxCheckReport, style: Style): string {
  const source = [report.source.file, report.source.api].filter(Boolean).join(' + ')
  const lines = [
    `${style.bold('MediaMTX')} ${source} · ${report.version.value} ${style.dim(`(${report.version.note})`)}`,
    '',
  ]
  lines.push(
    table(
      report.checks.map((c) => [style.glyph(c.status), c.title, style.dim(c.evidence)]),
      '  ',
    ),
  )
  if (report.candidates.length > 0) {
    lines.push('', style.bold('Candidates MediaMTX will advertise'))
    lines.push(
      table(
        report.candidates.map((c) => [
          c.type,
          c.address === null
            ? style.dim('(from the server)')
            : `${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port ?? 'random'}`,
          c.protocol,
          c.scope,
          style.dim(c.source),
        ]),
        '  ',
      ),
    )
  }
  const notable = report.findings.filter((f) => f.severity !== 'info')
  if (notable.length > 0) {
    lines.push('', style.bold('Findings'))
    for (const f of notable) {
      lines.push(`  ${style.glyph(f.severity === 'error' ? 'fail' : 'warn')} ${f.message}`)
      if (f.fix) lines.push(`    ${style.dim('fix:')} ${f.fix}`)
    }
  }
  const info = report.findings.filter((f) => f.severity === 'info')
  for (const f of info) lines.push(style.dim(`  · ${f.message}`))
  return lines.join('\n')
}

export function renderConfigure(result: ConfigureRunResult, style: Style): string {
  const where = result.path ?? result.applied?.url ?? 'the live configuration'
  const lines = [
    `${style.bold('MediaMTX')} ${where} · ${result.version.value} ${style.dim(`(${result.version.note})`)}`,
  ]
  for (const o of result.operations) {
    const glyph =
      o.result === 'changed' ? style.glyph('pass') : o.result === 'skipped' ? style.glyph('warn') : style.glyph('skip')
    const what = [o.op, o.value].filter(Boolean).join(' ')
    const key = o.key ? style.dim(` → ${o.key}`) : ''
    lines.push(`  ${glyph} ${what}${key}${o.result === 'changed' ? '' : style.dim(` (${o.result})`)}`)
    if (o.note && o.result !== 'changed') lines.push(`      ${style.dim(o.note)}`)
  }
  if (result.tailscale) {
    lines.push(
      style.dim(
        `  Tailscale address ${result.tailscale.address} (from ${result.tailscale.source === 'tailscale-cli' ? '`tailscale ip -4`' : `interface ${result.tailscale.interface}`})`,
      ),
    )
  }
  if (result.turn) lines.push(style.dim(`  TURN credentials valid until ${result.turn.expiresAt}`))
  lines.push('')
  if (result.noop) {
    lines.push('Nothing to change: the config already says so.')
  } else {
    lines.push(colourDiff(result.diff, style), '')
    if (result.written) {
      lines.push(
        `${style.glyph('pass')} Wrote ${result.path}${result.backupPath ? ` (previous version kept as ${result.backupPath})` : ''}.`,
      )
    } else if (result.path) {
      lines.push(
        style.dim(
          'Dry run: nothing written. Add --write to save it (a backup is kept), or --apply to send it to the running server.',
        ),
      )
    }
    if (result.applied) {
      const a = result.applied
      lines.push(
        `${style.glyph(a.verified ? 'pass' : 'warn')} Applied ${a.keys.join(', ') || 'nothing'} to ${a.url}${a.sessions > 0 ? ` (${a.sessions} WebRTC session(s) dropped)` : ''}${a.verified ? '' : '; the live config does not show the new values yet'}.`,
      )
    } else if (!result.path) {
      lines.push(style.dim('Dry run: add --apply to send it to the running server.'))
    }
  }
  for (const note of result.notes) lines.push(style.dim(`note: ${note}`))
  for (const warning of result.warnings) {
    lines.push(`${style.glyph('warn')} Warning: ${warning.message}`, `  Fix: ${warning.fix}`)
  }
  return lines.join('\n')
}

export function renderTurnRefresh(result: TurnRefreshResult, style: Style): string {
  const where = result.path ?? result.api ?? ''
  const lines: string[] = []
  if (result.action === 'deferred') {
    lines.push(`${style.glyph('warn')} Deferred the TURN refresh of ${where}: ${result.reason}.`)
  } else {
    lines.push(
      `${style.glyph('pass')} Refreshed the TURN credentials of ${where}: valid until ${result.expiresAt} (${result.reason}).`,
    )
    lines.push(
      style.dim(
        `  ${result.urls.join(', ')}${result.written ? ' · file written' : ''}${result.applied ? ' · applied through the API' : ''}`,
      ),
    )
    if (result.removedUrls.length > 0) lines.push(style.dim(`  removed: ${result.removedUrls.join(', ')}`))
  }
  for (const note of result.notes) lines.push(style.dim(`note: ${note}`))
  return lines.join('\n')
}
