/** `r58 relay pull`: asks a running relay to pull tracks someone else published to Calls. */
import {R58Error} from '../errors.js'
import {httpRequest} from '../net/http.js'
import {adminEndpoint} from './admin-client.js'

export interface RelayPullOptions {
  /** The relay's operator listener, e.g. `http://127.0.0.1:8891` or `unix:/run/r58/relay-admin.sock`. */
  url: string
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
  const endpoint = adminEndpoint(options.url)
  let response: Awaited<ReturnType<typeof httpRequest>>
  try {
    response = await httpRequest(`${endpoint.base}/relay/pull`, {
      method: 'POST',
      step: 'relay pull',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({sessionId: options.sessionId, trackNames: options.trackNames, path: options.path}),
      timeoutMs: options.timeoutMs ?? 5000,
      ...(options.signal && {signal: options.signal}),
      ...(endpoint.dispatcher && {dispatcher: endpoint.dispatcher}),
    })
  } finally {
    await endpoint.close()
  }
  let body: {id?: unknown; error?: unknown} = {}
  try {
    body = JSON.parse(response.body) as typeof body
  } catch {
    // reported below
  }
  if (response.status !== 201 || typeof body.id !== 'string') {
    const said = typeof body.error === 'string' ? `: ${body.error}` : ''
    const code = response.status === 400 || response.status === 409 ? 'E_USAGE' : 'E_PROTOCOL'
    throw new R58Error(code, `relay pull: HTTP ${response.status}${said}`, {
      ...(response.status === 404 && {
        hint: `Is ${endpoint.shown} the relay's operator listener (its --admin-listen)?`,
      }),
    })
  }
  return {id: body.id, path: options.path, exitCode: 0}
}
