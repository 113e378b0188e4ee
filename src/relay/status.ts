/** `r58 relay status`: asks a running relay's operator listener for its health and sessions. */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import {httpRequest} from '../net/http.js'
import {adminEndpoint} from './admin-client.js'
import type {RelaySessionInfo} from './engine.js'

export interface RelayStatusOptions {
  /** The relay's operator listener, e.g. `http://127.0.0.1:8891` or `unix:/run/r58/relay-admin.sock`. */
  url: string
  timeoutMs?: number
  signal?: AbortSignal
  dispatcher?: Dispatcher
}

export interface RelayStatus {
  url: string
  healthy: boolean
  sessions: RelaySessionInfo[]
  exitCode: 0
}

export async function relayStatus(options: RelayStatusOptions): Promise<RelayStatus> {
  const endpoint = adminEndpoint(options.url, options.dispatcher)
  try {
    return await askStatus(options, endpoint)
  } finally {
    await endpoint.close()
  }
}

async function askStatus(
  options: RelayStatusOptions,
  endpoint: ReturnType<typeof adminEndpoint>,
): Promise<RelayStatus> {
  const {base, shown} = endpoint
  const common = {
    timeoutMs: options.timeoutMs ?? 3000,
    maxBodyBytes: 1024 * 1024,
    ...(options.signal && {signal: options.signal}),
    ...(endpoint.dispatcher && {dispatcher: endpoint.dispatcher}),
  }
  const health = await httpRequest(`${base}/healthz`, {...common, step: 'relay health'})
  if (health.status !== 200) {
    throw new R58Error('E_CHECK_FAILED', `relay health: HTTP ${health.status} from ${shown}/healthz`, {
      hint: 'Is this the operator listener of an r58 relay (its --admin-listen)? Start one with `r58 relay start`.',
    })
  }
  const status = await httpRequest(`${base}/status`, {...common, step: 'relay status'})
  let sessions: RelaySessionInfo[]
  try {
    sessions = (JSON.parse(status.body) as {sessions: RelaySessionInfo[]}).sessions
    if (!Array.isArray(sessions)) throw new Error('no sessions')
  } catch {
    throw new R58Error('E_PROTOCOL', `relay status: ${shown}/status did not answer with the relay's status JSON`)
  }
  return {url: shown, healthy: true, sessions, exitCode: 0}
}
