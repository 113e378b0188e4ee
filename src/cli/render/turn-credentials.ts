/** Human rendering of `turn credentials` and `turn revoke`. */
import type {MediamtxIceServer} from '../../mediamtx/ice-servers.js'
import type {RevokeResult, TurnCredentials} from '../../turn/cloudflare-credentials.js'
import type {Style} from '../style.js'

export type CredentialsFormat = 'browser' | 'mediamtx'

export interface CredentialsView extends TurnCredentials {
  /** The same servers as MediaMTX's `webrtcICEServers2` entries. */
  mediamtx: MediamtxIceServer[]
}

function mediamtxYaml(entries: readonly MediamtxIceServer[]): string {
  const lines = ['webrtcICEServers2:']
  for (const entry of entries) {
    lines.push(`  - url: ${entry.url}`, `    username: '${entry.username}'`, `    password: '${entry.password}'`)
  }
  return lines.join('\n')
}

export function renderCredentials(
  view: CredentialsView,
  style: Style,
  format: CredentialsFormat,
  shown: boolean,
): string {
  const head = [
    `${style.glyph('pass')} TURN credentials from ${view.endpoint}, valid ${view.ttlSeconds} s (until ${view.expiresAt})`,
  ]
  if (view.username) head.push(`  user name: ${view.username} (revoke with \`r58 turn revoke ${view.username}\`)`)
  if (view.droppedUrls.length > 0) {
    head.push(style.dim(`  dropped port-53 URLs (browsers block them): ${view.droppedUrls.join(', ')}`))
  }
  if (!shown) head.push(style.dim('  credentials redacted; add --show-secrets to print them'))
  const body = format === 'mediamtx' ? mediamtxYaml(view.mediamtx) : JSON.stringify(view.iceServers, null, 2)
  return `${head.join('\n')}\n\n${body}`
}

export function renderRevoke(result: RevokeResult, style: Style): string {
  return `${style.glyph('pass')} Revoked TURN credential ${result.username}`
}
