/**
 * Reading a request body on the servers r58 runs (the relay's listeners, and the simulators that import it): at
 * most a given number of bytes, chunked bodies included, and nothing more once the limit is passed. Each server
 * answers an oversized body in its own protocol's words (413 and JSON for the relay and the Calls emulator, 400 for
 * MediaMTX's stand-in), so this module only says "too large".
 */
import type {IncomingMessage} from 'node:http'

/** A body over its limit; the server catching it decides the answer. */
export class BodyTooLargeError extends Error {
  readonly limit: number

  constructor(limit: number) {
    super(`body larger than ${limit} bytes`)
    this.limit = limit
  }
}

/** A declared Content-Length over `limit` is refused from the headers alone, before a byte is read. */
export function refuseDeclaredOversize(req: IncomingMessage, limit: number): void {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLargeError(limit)
}

export interface ReadBodyOptions {
  /** Refuse a declared Content-Length over the limit before reading (default true). */
  checkDeclared?: boolean
}

/**
 * The body as UTF-8, at most `limit` bytes. More throws BodyTooLargeError at the chunk that passes the limit;
 * leaving the loop destroys the request, so the rest of an oversized upload is never read. Other stream errors (a
 * client that hangs up mid-body) are thrown as they are.
 */
export async function readBody(req: IncomingMessage, limit: number, options: ReadBodyOptions = {}): Promise<string> {
  if (options.checkDeclared ?? true) refuseDeclaredOversize(req, limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new BodyTooLargeError(limit)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The media type of the request's Content-Type, lowercased, without parameters (`application/sdp`). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}
