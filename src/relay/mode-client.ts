/** Asks a running relay which mode it is in (for diagnose's evidence), on its operator listener. */
import {httpRequest} from '../net/http.js'
import {adminEndpoint} from './admin-client.js'
import type {RelayMode} from './mode.js'

/** The mode a running relay reports in `/status`, or null (older relay, no access). Never throws. */
export async function relayModeOf(
  adminUrl: string,
  options: {timeoutMs: number; signal?: AbortSignal},
): Promise<RelayMode | null> {
  const endpoint = adminEndpoint(adminUrl)
  try {
    const response = await httpRequest(`${endpoint.base}/status`, {
      timeoutMs: options.timeoutMs,
      ...(options.signal && {signal: options.signal}),
      ...(endpoint.dispatcher && {dispatcher: endpoint.dispatcher}),
      step: 'relay status',
    })
    const mode = (JSON.parse(response.body) as {mode?: unknown}).mode
    return mode === 'whep' || mode === 'forward' ? mode : null
  } catch {
    return null
  } finally {
    await endpoint.close()
  }
}
