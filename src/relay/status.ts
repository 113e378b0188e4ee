/** `r58 relay status`: asks a running relay for its health and sessions. */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import {httpRequest} from '../net/http.js'
import type {RelaySessionInfo} from './engine.js'

export interface RelayStatusOptions {
  /** Base URL of the relay, e.g. `http://127.0.0.1:8890`. */
  url: string
  /** Needed when asking through the tunnel; local callers are let in without it. */
  token?: string | undefined
  timeoutMs?: number
  signal?: AbortSignal
  dispatcher?: Dispatcher
}

export interface RelayStatus {
  url: string
  healthy: boolean
  /** issue 14: `whep` (MediaMTX pulls guests from Calls) or `forward`; null from relays that predate modes. */
  mode: 'whep' | 'forward' | null
  modeReason: string | null
  /** UDP sockets in the relay process: 0 in whep mode (no media passes through it). */
  udpSockets: number | null
  sessions: RelaySessionInfo[]
  exitCode: 0
}

export async function relayStatus(options: RelayStatusOptions): Promise<RelayStatus> {
  const base = options.url.replace(/\/+$/, '')
  const common = {
    timeoutMs: options.timeoutMs ?? 3000,
    maxBodyBytes: 1024 * 1024,
    ...(options.signal && {signal: options.signal}),
    ...(options.dispatcher && {dispatcher: options.dispatcher}),
  }
  const health = await httpRequest(`${base}/healthz`, {...common, step: 'relay health'})
  if (health.status !== 200) {
    throw new R58Error('E_CHECK_FAILED', `relay health: HTTP ${health.status} from ${base}/healthz`, {
      hint: 'Is this an r58 relay? Start one with `r58 relay start`.',
    })
  }
  const status = await httpRequest(`${base}/status`, {
    ...common,
    step: 'relay status',
    ...(options.token !== undefined && {headers: {authorization: `Bearer ${options.token}`}}),
  })
  if (status.status === 401) {
    throw new R58Error('E_AUTH', `relay status: HTTP 401 from ${base}/status`, {
      field: 'relay.token',
      hint: 'Give a relay token valid for every path ("*") with --relay-token-file or R58_RELAY_TOKEN.',
    })
  }
  let sessions: RelaySessionInfo[]
  let parsed: {sessions: RelaySessionInfo[]; mode?: unknown; modeReason?: unknown; udpSockets?: unknown}
  try {
    parsed = JSON.parse(status.body) as typeof parsed
    sessions = parsed.sessions
    if (!Array.isArray(sessions)) throw new Error('no sessions')
  } catch {
    throw new R58Error('E_PROTOCOL', `relay status: ${base}/status did not answer with the relay's status JSON`)
  }
  return {
    url: base,
    healthy: true,
    mode: parsed.mode === 'whep' || parsed.mode === 'forward' ? parsed.mode : null,
    modeReason: typeof parsed.modeReason === 'string' ? parsed.modeReason : null,
    udpSockets: typeof parsed.udpSockets === 'number' ? parsed.udpSockets : null,
    sessions,
    exitCode: 0,
  }
}
