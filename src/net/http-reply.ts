/**
 * Writing answers on the servers r58 runs: a JSON body with its length, and never draining an upload the server
 * refused (see closeUnreadUploads).
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

export interface JsonReplyOptions {
  headers?: Record<string, string | string[]>
  /** Default `application/json`; MediaMTX's servers say `application/json; charset=utf-8`. */
  contentType?: string
}

/** Answers `status` with `body` as JSON (Content-Type and Content-Length set); no body when `body` is undefined. */
export function replyJson(res: ServerResponse, status: number, body: unknown, options: JsonReplyOptions = {}): void {
  const headers = options.headers ?? {}
  if (body === undefined) {
    res.writeHead(status, headers).end()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': options.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0

/**
 * Node drains an unread request body after the answer to keep the connection alive, so a refused upload
 * would still be read to its end (one chunked request pushed 18.7 GB that way into the relay). Any answer sent
 * before the body was read closes the connection instead.
 */
export function closeUnreadUploads(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (hasBody(req) && !req.complete) this.setHeader('connection', 'close')
    return writeHead.apply(this, args)
  } as ServerResponse['writeHead']
}
