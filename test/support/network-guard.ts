/**
 * Loaded before every test file (vitest setupFiles). Tests may talk to loopback only: this guard drops any
 * UDP datagram, refuses any TCP connection and any DNS lookup for another address, and fails the file that
 * tried. It makes
 * the workplace rule ("never send traffic to real public or private-range addresses") a tested property
 * instead of a hope: werift, for instance, probes every interface address unless told otherwise.
 */
import {Socket as UdpSocket} from 'node:dgram'
import dns from 'node:dns'
import {isIP, Socket as TcpSocket} from 'node:net'
import {afterAll, expect} from 'vitest'
import {isLoopbackAddress} from '../../src/net/address-class.js'

const violations: string[] = []

const allowed = (host: string | undefined): boolean => host === undefined || host === '' || isLoopbackAddress(host)

const originalSend = UdpSocket.prototype.send
UdpSocket.prototype.send = function (this: UdpSocket, ...args: unknown[]) {
  // send(msg, [offset, length,] port, [address,] [callback])
  const address = args.find((arg, i) => i > 0 && typeof arg === 'string') as string | undefined
  if (!allowed(address)) {
    violations.push(`UDP to ${address}`)
    // R58_GUARD_STACK=1 prints where each blocked datagram came from.
    if (process.env['R58_GUARD_STACK']) process.stderr.write(`network guard: UDP to ${address} ${new Error().stack}\n`)
    const callback = args.at(-1)
    if (typeof callback === 'function')
      queueMicrotask(() => (callback as (e: Error) => void)(new Error(`network guard: UDP to ${address} blocked`)))
    return
  }
  return (originalSend as (...a: unknown[]) => void).apply(this, args)
} as typeof UdpSocket.prototype.send

const originalUdpConnect = UdpSocket.prototype.connect
UdpSocket.prototype.connect = function (this: UdpSocket, ...args: unknown[]) {
  // connect(port, [address,] [callback])
  const address = typeof args[1] === 'string' ? args[1] : undefined
  if (!allowed(address)) {
    violations.push(`UDP connect to ${address}`)
    const callback = args.at(-1)
    if (typeof callback === 'function')
      queueMicrotask(() => (callback as (e: Error) => void)(new Error(`network guard: UDP to ${address} blocked`)))
    return
  }
  return (originalUdpConnect as (...a: unknown[]) => void).apply(this, args)
} as typeof UdpSocket.prototype.connect

// A name lookup is a packet to this machine's DNS server: only `localhost` may be resolved. Address literals
// (0.0.0.0 for a wildcard bind, say) never leave the process; what is sent to them is checked above.
const nameAllowed = (name: unknown) =>
  typeof name !== 'string' || name === '' || name === 'localhost' || isIP(name) !== 0
const originalLookup = dns.lookup
dns.lookup = ((hostname: string, ...rest: unknown[]) => {
  if (!nameAllowed(hostname)) {
    violations.push(`DNS lookup of ${hostname}`)
    const callback = rest.find((a) => typeof a === 'function') as ((e: Error) => void) | undefined
    process.nextTick(() =>
      callback?.(Object.assign(new Error(`network guard: lookup of ${hostname} blocked`), {code: 'ENOTFOUND'})),
    )
    return {} as never
  }
  return (originalLookup as (...a: unknown[]) => unknown).call(dns, hostname, ...rest)
}) as typeof dns.lookup
const originalLookupPromise = dns.promises.lookup
dns.promises.lookup = (async (hostname: string, options?: unknown) => {
  if (!nameAllowed(hostname)) {
    violations.push(`DNS lookup of ${hostname}`)
    throw Object.assign(new Error(`network guard: lookup of ${hostname} blocked`), {code: 'ENOTFOUND'})
  }
  return (originalLookupPromise as unknown as (...a: unknown[]) => Promise<never>).call(dns.promises, hostname, options)
}) as unknown as typeof dns.promises.lookup

const originalConnect = TcpSocket.prototype.connect
TcpSocket.prototype.connect = function (this: TcpSocket, ...args: unknown[]) {
  const first = args[0] as {host?: string; path?: string} | number | string | unknown[]
  const options = Array.isArray(first) ? (first[0] as {host?: string; path?: string}) : first
  const host =
    typeof options === 'object' && options !== null
      ? options.path !== undefined
        ? undefined // a Unix socket
        : (options.host ?? 'localhost')
      : typeof options === 'number'
        ? typeof args[1] === 'string'
          ? args[1]
          : 'localhost'
        : undefined
  const lookup = typeof options === 'object' && options !== null ? (options as {lookup?: unknown}).lookup : undefined
  if (host !== undefined && isIP(host) === 0 && host !== 'localhost' && typeof lookup === 'function') {
    // An injected resolver: no DNS query leaves the process, but its answer must be loopback too.
    ;(options as {lookup: unknown}).lookup = (name: string, opts: unknown, callback: (...r: unknown[]) => void) =>
      (lookup as (n: string, o: unknown, c: (...r: unknown[]) => void) => void)(
        name,
        opts,
        (error, address, ...rest) => {
          if (!error && typeof address === 'string' && !allowed(address)) {
            violations.push(`TCP to ${name} (${address})`)
            callback(new Error(`network guard: TCP to ${address} blocked`))
            return
          }
          callback(error, address, ...rest)
        },
      )
  } else if (host !== undefined && !(host === 'localhost' || (isIP(host) !== 0 && allowed(host)))) {
    violations.push(`TCP to ${host}`)
    queueMicrotask(() => this.destroy(new Error(`network guard: TCP to ${host} blocked`)))
    return this
  }
  return (originalConnect as (...a: unknown[]) => TcpSocket).apply(this, args)
} as typeof TcpSocket.prototype.connect

afterAll(() => {
  expect(violations, 'traffic to non-loopback addresses (see test/support/network-guard.ts)').toEqual([])
})
