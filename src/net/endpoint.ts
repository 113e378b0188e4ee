/** A transport address: an IP address (or host name) and a port. */
import {isIPv6} from 'node:net'

export interface Endpoint {
  address: string
  port: number
}

/** `127.0.0.1:3478`, `[::1]:3478`. */
export function formatEndpoint(endpoint: Endpoint): string {
  return isIPv6(endpoint.address) ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`
}

export function sameEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.port === b.port
}
