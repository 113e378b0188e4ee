/** Human rendering of `relay start --dry-run`. */
import type {RelayPlan} from '../../relay/start.js'
import type {Style} from '../style.js'
import {table} from './table.js'

export function renderRelayPlan(plan: RelayPlan, style: Style): string {
  const rows = [
    ['listen', plan.listen],
    ['publish into', plan.target],
    ['Calls', `${plan.calls.appId} at ${plan.calls.apiBase}`],
    [
      'guests',
      plan.auth.open ? style.status('warn', 'no token required (loopback only)') : `${plan.auth.tokens} token(s)`,
    ],
    ['browser origins', plan.allowOrigins.join(', ')],
    ['max sessions', String(plan.maxSessions)],
    ['guest ICE', [...plan.stunUrls, ...(plan.guestTurn ? ['Cloudflare TURN credentials'] : [])].join(', ') || 'none'],
  ]
  return `${style.glyph('pass')} relay configuration is valid\n\n${table(rows, '  ', style.columns)}`
}
