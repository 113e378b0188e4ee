/** `r58 relay pull`: asks a running relay to pull tracks someone else published to Calls. */
import {R58Error} from '../errors.js'
import {httpRequest} from '../net/http.js'

export interface RelayPullOptions {
  url: string
  token?: string | undefined
  sessionId: string
  trackNames: string[]
  path: string
  timeoutMs?: number
  signal?: AbortSignal
}

export interface RelayPullResult {
  /** The relay session now pulling the tracks. */
  id: string
  path: string
  exitCode: 0
}

export async function requestRelayPull(options: RelayPullOptions): Promise<RelayPullResult> {
  const base = options.url.replace(/\/+$/, '')
  const response = await httpRequest(`${base}/relay/pull`, {
    method: 'POST',
    step: 'relay pull',
    headers: {
      'content-type': 'application/json',
      ...(options.token !== undefined && {authorization: `Bearer ${options.token}`}),
    },
    body: JSON.stringify({sessionId: options.sessionId, trackNames: options.trackNames, path: options.path}),
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.signal && {signal: options.signal}),
  })
  let body: {id?: unknown; error?: unknown} = {}
  try {
    body = JSON.parse(response.body) as typeof body
  } catch {
    // reported below
  }
  if (response.status === 401) {
    throw new R58Error('E_AUTH', 'relay pull: HTTP 401', {
      field: 'relay.token',
      hint: 'Give a relay token valid for every path ("*").',
    })
  }
  if (response.status !== 201 || typeof body.id !== 'string') {
    const said = typeof body.error === 'string' ? `: ${body.error}` : ''
    throw new R58Error(response.status === 400 ? 'E_USAGE' : 'E_PROTOCOL', `relay pull: HTTP ${response.status}${said}`)
  }
  return {id: body.id, path: options.path, exitCode: 0}
}
