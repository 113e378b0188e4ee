/** Human rendering of `calls check` and `calls emulate --dry-run`. */
import type {CallsCheckReport} from '../../calls/calls-check.js'
import type {EmulatorPlan} from '../../sim/calls-sfu/serve.js'
import type {Style} from '../style.js'
import {table} from './table.js'

export function renderCallsCheck(report: CallsCheckReport, style: Style): string {
  const rows = report.checks.map((check) => [
    style.glyph(check.status),
    check.title,
    style.dim(check.status === 'skip' ? '' : `${check.durationMs} ms`),
    check.status === 'fail' ? style.status('fail', check.evidence) : check.evidence,
  ])
  const lines = [`Cloudflare Calls at ${report.apiBase} (app ${report.appId})`, '', table(rows, '  ', style.columns)]
  const fixes = report.checks.filter((c) => c.status === 'fail' && c.fix).map((c) => `  ${style.bold('Fix:')} ${c.fix}`)
  if (fixes.length > 0) lines.push('', ...fixes)
  lines.push(
    '',
    report.ok
      ? style.status('pass', 'The app id and secret work: sessions, push, pull and media all passed.')
      : style.status('fail', `Calls check failed (exit ${report.exitCode}).`),
  )
  return lines.join('\n')
}

export function renderEmulatorPlan(plan: EmulatorPlan, style: Style): string {
  const rows = [
    ['listen', plan.listen],
    ['API base', `http://${plan.listen}/v1`],
    ['app id', plan.appId],
    ['app secret', plan.appSecretSource === 'generated' ? 'generated at start (printed once)' : 'configured'],
    [
      'TURN API',
      plan.turn.enabled
        ? `key ${plan.turn.keyId}, ${plan.turn.turnUrls.length} TURN URL(s)${plan.turn.sharedSecret ? ', shared secret set' : ''}`
        : 'off (add --turn-url or --turn-key-id)',
    ],
    ['inactivity', `${plan.inactivityMs} ms`],
  ]
  return `${style.glyph('pass')} The emulator can start (dry run, nothing served):\n\n${table(
    rows.map(([k, v]) => [style.dim(k ?? ''), v ?? '']),
    '  ',
  )}`
}
