/**
 * The guest's address. Behind Cloudflare Tunnel every request arrives from the local connector, so the
 * forwarding headers are believed only when the direct peer is a trusted proxy (loopback by default).
 */
import type {IncomingMessage} from 'node:http'
import {isLoopbackAddress} from '../net/address-class.js'

export function clientAddress(req: IncomingMessage, trustProxy: (peer: string) => boolean = isLoopbackAddress): string {
  const peer = (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '')
  if (!trustProxy(peer)) return peer
  const cf = req.headers['cf-connecting-ip']
  if (typeof cf === 'string' && cf.trim()) return cf.trim()
  const forwarded = req.headers['x-forwarded-for']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  return first || peer
}
