/** How `relay status` and `relay pull` reach a relay's operator listener: `http://host:port` or `unix:/path`. */
import {Agent, type Dispatcher} from 'undici'

export interface AdminEndpoint {
  /** Base URL for requests (`http://localhost` over a Unix socket). */
  base: string
  /** Shown in messages: what the operator gave. */
  shown: string
  dispatcher?: Dispatcher
  close(): Promise<void>
}

export function adminEndpoint(url: string, dispatcher?: Dispatcher): AdminEndpoint {
  const shown = url.replace(/\/+$/, '')
  if (!shown.startsWith('unix:')) {
    return {base: shown, shown, ...(dispatcher && {dispatcher}), close: async () => {}}
  }
  const agent = new Agent({connect: {socketPath: shown.slice('unix:'.length)}})
  return {base: 'http://localhost', shown, dispatcher: agent, close: () => agent.close()}
}
