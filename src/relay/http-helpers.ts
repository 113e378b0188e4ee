/**
 * What the relay's two HTTP listeners (guests, operator) share: errors that become answers, bounded body
 * reading, and never draining an upload the relay will not use.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

/** An expected refusal: becomes an HTTP answer with this status, a JSON `{error}` body and these headers. */
export class HttpError extends Error {
  readonly status: number
  readonly headers: Record<string, string>

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.headers = headers
  }
}

/** Reads at most `max` bytes (chunked bodies included); more is a 413 before the rest is read. */
export async function readBody(req: IncomingMessage, max: number): Promise<string> {
  rejectDeclaredOversize(req, max)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new HttpError(413, `body larger than ${max} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A declared Content-Length over `max` is refused from the headers alone. */
export function rejectDeclaredOversize(req: IncomingMessage, max: number): void {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > max) throw new HttpError(413, `body larger than ${max} bytes`)
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0

/**
 * Node drains an unread request body after the answer to keep the connection alive, so a refused upload
 * would still be read to its end (one chunked request pushed 18.7 GB that way). Any answer sent before
 * the body was read closes the connection instead.
 */
export function closeUnreadUploads(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (hasBody(req) && !req.complete) this.setHeader('connection', 'close')
    return writeHead.apply(this, args)
  } as ServerResponse['writeHead']
}

export function decodePath(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path')
  }
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers})
  res.end(text)
}

/** Guest path names: what MediaMTX accepts, without traversal or surprises. */
export const PATH_NAME = /^[A-Za-z0-9_.~-][A-Za-z0-9_.~/-]{0,127}$/

export const isPathName = (path: string) => PATH_NAME.test(path) && !path.includes('..')
