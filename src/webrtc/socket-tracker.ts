/**
 * werift 0.24.4 leaves the socket (UDP, or TCP after its fallback) of a failed TURN allocation open
 * (`createTurnClient` does not close its transport when the ALLOCATE fails), which keeps a CLI process alive
 * forever. A tracker records the transports werift opens *within its own async context* (`run`, around the
 * peer's gathering), and `release()` closes those still open once the peer is closed. The context matters:
 * several peers gather at once in one process (the diagnose lab), and a tracker must never close another
 * peer's sockets.
 */
import {AsyncLocalStorage} from 'node:async_hooks'
import {TcpTransport, UdpTransport} from 'werift'

type Transport = {readonly closed: boolean; close(): Promise<void>}

const scope = new AsyncLocalStorage<Set<Transport>>()
let patched = false

function patch(): void {
  if (patched) return
  patched = true
  const udp = UdpTransport.init.bind(UdpTransport)
  UdpTransport.init = async (...args: Parameters<typeof UdpTransport.init>) => {
    const transport = await udp(...args)
    scope.getStore()?.add(transport)
    return transport
  }
  const tcp = TcpTransport.init.bind(TcpTransport)
  TcpTransport.init = async (...args: Parameters<typeof TcpTransport.init>) => {
    const transport = await tcp(...args)
    scope.getStore()?.add(transport)
    return transport
  }
}

export interface SocketTracker {
  /** Runs `work` (the peer's gathering: setLocalDescription) so that the sockets it opens are tracked. */
  run<T>(work: () => Promise<T>): Promise<T>
  /** Closes every tracked socket werift has not closed itself. */
  release(): Promise<void>
}

export function trackWeriftSockets(): SocketTracker {
  patch()
  const transports = new Set<Transport>()
  return {
    run: (work) => scope.run(transports, work),
    async release() {
      await Promise.all(
        [...transports]
          .filter((t) => !t.closed)
          .map((t) =>
            Promise.race([t.close(), new Promise<void>((resolve) => setTimeout(resolve, 200).unref())]).catch(() => {}),
          ),
      )
      transports.clear()
    },
  }
}
