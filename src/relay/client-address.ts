/**
 * The guest's address, which rate limits key on and logs show. By default it is the socket's peer: a header
 * is only a claim, and behind a header-less tunnel (ssh -R, a TCP forwarder) anyone could write one. With
 * `--trust-proxy`, the header the named proxy sets is believed, and only when the proxy is this machine:
 *
 * - `cloudflare`: CF-Connecting-IP, which cloudflared sets on every request it forwards (Cloudflare Tunnel).
 * - `x-forwarded-for`: the last X-Forwarded-For entry, the one the local proxy appended (earlier entries
 *   are whatever the client sent).
 */
import type {IncomingMessage} from 'node:http'
import {isIP} from 'node:net'
import {isLoopbackAddress} from '../net/address-class.js'

export type TrustProxy = 'none' | 'cloudflare' | 'x-forwarded-for'

export const TRUST_PROXY_MODES: readonly TrustProxy[] = ['none', 'cloudflare', 'x-forwarded-for']

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[value.length - 1] : value
}

export function clientAddress(req: IncomingMessage, trustProxy: TrustProxy = 'none'): string {
  const peer = (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '')
  if (trustProxy === 'none' || !isLoopbackAddress(peer)) return peer
  const claimed =
    trustProxy === 'cloudflare'
      ? header(req, 'cf-connecting-ip')?.trim()
      : header(req, 'x-forwarded-for')?.split(',').pop()?.trim()
  return claimed && isIP(claimed) ? claimed : peer
}
