/**
 * werift 0.24.4 leaves the socket (UDP, or TCP after its fallback) of a failed TURN allocation open (`createTurnClient` does not close its
 * transport when the ALLOCATE fails), which keeps a CLI process alive forever. Every UDP transport werift opens
 * while a tracker is active is recorded, and `release()` closes those still open once the peer is closed.
 */
import {TcpTransport, UdpTransport} from 'werift'

type Transport = {readonly closed: boolean; close(): Promise<void>}

const trackers = new Set<Set<Transport>>()
let patched = false

function patch(): void {
  if (patched) return
  patched = true
  const udp = UdpTransport.init.bind(UdpTransport)
  UdpTransport.init = async (...args: Parameters<typeof UdpTransport.init>) => {
    const transport = await udp(...args)
    for (const tracker of trackers) tracker.add(transport)
    return transport
  }
  const tcp = TcpTransport.init.bind(TcpTransport)
  TcpTransport.init = async (...args: Parameters<typeof TcpTransport.init>) => {
    const transport = await tcp(...args)
    for (const tracker of trackers) tracker.add(transport)
    return transport
  }
}

export interface SocketTracker {
  /** Closes every UDP socket werift opened since the tracker started and has not closed itself. */
  release(): Promise<void>
}

export function trackWeriftSockets(): SocketTracker {
  patch()
  const transports = new Set<Transport>()
  trackers.add(transports)
  return {
    async release() {
      trackers.delete(transports)
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
