/** CORS for browser guests: the allowed origins echo back; `*` allows any. */
import type {IncomingMessage, ServerResponse} from 'node:http'

export const EXPOSED_HEADERS = 'Location, ETag, Link, Accept-Patch, Accept-Post'

export function applyCors(req: IncomingMessage, res: ServerResponse, allowOrigins: readonly string[]): boolean {
  const origin = req.headers.origin
  if (!origin) return true
  const allowed = allowOrigins.includes('*') || allowOrigins.includes(origin)
  if (!allowed) return false
  res.setHeader('access-control-allow-origin', allowOrigins.includes('*') ? '*' : origin)
  if (!allowOrigins.includes('*')) res.setHeader('vary', 'Origin')
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS)
  return true
}

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string'
}

export function answerPreflight(res: ServerResponse): void {
  res.setHeader('access-control-allow-methods', 'OPTIONS, POST, PATCH, DELETE')
  res.setHeader('access-control-allow-headers', 'Authorization, Content-Type, If-Match')
  res.setHeader('access-control-max-age', '600')
  res.writeHead(204).end()
}
