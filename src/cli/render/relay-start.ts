/** Human rendering of `relay start --dry-run`. */
import type {RelayPlan} from '../../relay/start.js'
import type {Style} from '../style.js'
import {table} from './table.js'

const GUEST_ADDRESS: Record<RelayPlan['trustProxy'], string> = {
  none: 'the socket peer (no forwarding header believed)',
  cloudflare: 'CF-Connecting-IP from a loopback peer (cloudflared)',
  'x-forwarded-for': 'the last X-Forwarded-For entry from a loopback peer',
}

export function renderRelayPlan(plan: RelayPlan, style: Style): string {
  const rows = [
    ['listen', plan.listen],
    ['mode', plan.mode],
    ['publish into', plan.target],
    ['Calls', `${plan.calls.appId} at ${plan.calls.apiBase}`],
    [
      'guests',
      plan.auth.open ? style.status('warn', 'no token required (loopback only)') : `${plan.auth.tokens} token(s)`,
    ],
    ['browser origins', plan.allowOrigins.join(', ')],
    [
      'max sessions',
      `${plan.maxSessions}, one publisher per path (${plan.onConflict === 'takeover' ? 'a new one takes over' : 'a second gets 409'})`,
    ],
    ['operator listener', plan.adminListen],
    ['guest address', GUEST_ADDRESS[plan.trustProxy]],
    ['public metrics', plan.publicMetrics ? style.status('warn', '/healthz and /metrics open to guests') : 'no'],
    ['guest ICE', [...plan.stunUrls, ...(plan.guestTurn ? ['Cloudflare TURN credentials'] : [])].join(', ') || 'none'],
  ]
  return `${style.glyph('pass')} relay configuration is valid\n\n${table(rows, '  ', style.columns)}`
}
