/**
 * Proof that a test sends nothing off this machine: while installed, UDP sends and TCP connects to any address
 * outside 127.0.0.0/8 and ::1 are blocked (never leave the process) and recorded. Tests assert the record is empty.
 */
import dgram from 'node:dgram'
import dns from 'node:dns'
import net, {isIP} from 'node:net'
import {isLoopbackAddress} from '../../src/net/address-class.js'

export interface TrafficGuard {
  /** Destinations that were blocked, `udp 192.168.1.58:8189`. */
  readonly blocked: string[]
  uninstall(): void
}

function allowed(host: unknown): boolean {
  if (typeof host !== 'string' || host === '') return true // connected socket / default host (localhost)
  if (host === 'localhost') return true
  return isIP(host) !== 0 ? isLoopbackAddress(host) : false
}

export function installTrafficGuard(): TrafficGuard {
  const blocked: string[] = []
  const udpSend = dgram.Socket.prototype.send
  const udpConnect = dgram.Socket.prototype.connect
  const tcpConnect = net.Socket.prototype.connect
  const lookup = dns.lookup
  const lookupPromise = dns.promises.lookup
  // Name lookups go to a DNS server: only loopback names may be resolved.
  const nameAllowed = (name: unknown) => typeof name !== 'string' || name === 'localhost' || allowed(name)
  // biome-ignore lint/suspicious/noExplicitAny: patching Node's overloaded signatures
  dns.lookup = ((hostname: string, ...rest: any[]) => {
    if (!nameAllowed(hostname)) {
      blocked.push(`dns ${hostname}`)
      const callback = rest.find((a) => typeof a === 'function')
      const error = Object.assign(new Error(`traffic guard: blocked lookup of ${hostname}`), {code: 'ENOTFOUND'})
      process.nextTick(() => callback?.(error))
      return {} as never
    }
    return (lookup as (...args: unknown[]) => unknown).call(dns, hostname, ...rest)
  }) as typeof dns.lookup
  dns.promises.lookup = (async (hostname: string, options?: unknown) => {
    if (!nameAllowed(hostname)) {
      blocked.push(`dns ${hostname}`)
      throw Object.assign(new Error(`traffic guard: blocked lookup of ${hostname}`), {code: 'ENOTFOUND'})
    }
    return (lookupPromise as unknown as (...args: unknown[]) => Promise<never>).call(dns.promises, hostname, options)
  }) as unknown as typeof dns.promises.lookup
  // biome-ignore lint/suspicious/noExplicitAny: patching Node's overloaded signatures
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: any[]) {
    const address = args.slice(1).find((a) => typeof a === 'string')
    const port = args.slice(1).find((a) => typeof a === 'number')
    if (!allowed(address)) {
      blocked.push(`udp ${address}:${port}`)
      const callback = args.find((a) => typeof a === 'function')
      callback?.(new Error(`traffic guard: blocked UDP to ${address}`))
      return
    }
    return udpSend.apply(this, args as never)
  } as typeof udpSend
  // biome-ignore lint/suspicious/noExplicitAny: patching Node's overloaded signatures
  dgram.Socket.prototype.connect = function (this: dgram.Socket, ...args: any[]) {
    const address = typeof args[1] === 'string' ? args[1] : undefined
    if (!allowed(address)) {
      blocked.push(`udp-connect ${address}:${args[0]}`)
      return
    }
    return udpConnect.apply(this, args as never)
  } as typeof udpConnect
  // biome-ignore lint/suspicious/noExplicitAny: patching Node's overloaded signatures
  net.Socket.prototype.connect = function (this: net.Socket, ...args: any[]) {
    const first = args[0]
    const options = Array.isArray(first) ? first[0] : first
    const host =
      typeof options === 'object' && options !== null ? options.host : typeof args[1] === 'string' ? args[1] : undefined
    const path = typeof options === 'object' && options !== null ? options.path : undefined
    if (path === undefined && !allowed(host)) {
      blocked.push(`tcp ${host}:${typeof options === 'object' ? options.port : options}`)
      process.nextTick(() => this.destroy(new Error(`traffic guard: blocked TCP to ${host}`)))
      return this
    }
    return tcpConnect.apply(this, args as never)
  } as typeof tcpConnect
  return {
    blocked,
    uninstall() {
      dgram.Socket.prototype.send = udpSend
      dgram.Socket.prototype.connect = udpConnect
      net.Socket.prototype.connect = tcpConnect
      dns.lookup = lookup
      dns.promises.lookup = lookupPromise
    },
  }
}

/** Counts of active handles by type (UDPWrap, TCPSocketWrap, …), for "nothing left open" assertions. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Waits (bounded) until no more UDP sockets are open than at `baseline`; returns the final count. */
export async function udpSocketsSettle(baseline: number, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const now = activeResources()['UDPWrap'] ?? 0
    if (now <= baseline || Date.now() > deadline) return now
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
