/**
 * A loopback HTTP proxy in front of a WHIP server that reproduces real-world quirks: no trickle (405/415/422 on
 * PATCH), a 307 redirect, bundle-only answers, rewritten answers (malformed, without candidates, candidates that
 * never answer), missing Location. Everything it forwards goes to the loopback target.
 */
import type {IncomingHttpHeaders, IncomingMessage} from 'node:http'
import {request} from 'undici'
import {type LoopbackServer, startHttpServer} from './http-server.js'

export interface ProxyQuirks {
  /** Answer PATCH with this status instead of forwarding it. */
  patchStatus?: number
  /** Redirect POSTs to the target with 307 first. */
  redirectPost?: boolean
  /** Rewrite the answer SDP of a 201. */
  rewriteAnswer?: (sdp: string) => string
  /** Drop these response headers of the 201 (lower-case). */
  dropHeaders?: string[]
  /** Serve the endpoint under another path (a WHIP URL that is not of MediaMTX's `/<path>/whip` form). */
  mapPath?: (path: string) => string
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startWhipProxy(target: string, quirks: ProxyQuirks): Promise<LoopbackServer> {
  const server = await startHttpServer(async (req, res) => {
    const url = new URL(quirks.mapPath ? quirks.mapPath(req.url ?? '/') : (req.url ?? '/'), target)
    if (req.method === 'PATCH' && quirks.patchStatus !== undefined) {
      await body(req)
      res.writeHead(quirks.patchStatus, {'content-type': 'text/plain'}).end('trickle not supported')
      return
    }
    if (req.method === 'POST' && quirks.redirectPost && !url.searchParams.has('redirected')) {
      await body(req)
      res.writeHead(307, {location: `${req.url}${req.url?.includes('?') ? '&' : '?'}redirected=1`}).end()
      return
    }
    const headers: IncomingHttpHeaders = {...req.headers}
    delete headers.host
    const upstream = await request(url, {
      method: req.method as 'POST',
      headers: headers as Record<string, string>,
      body: req.method === 'GET' || req.method === 'HEAD' ? null : await body(req),
    })
    let text = await upstream.body.text()
    const out: Record<string, string | string[]> = {}
    for (const [key, value] of Object.entries(upstream.headers)) {
      if (value === undefined || key === 'content-length' || key === 'connection' || key === 'keep-alive') continue
      if (upstream.statusCode === 201 && quirks.dropHeaders?.includes(key)) continue
      out[key] = value
    }
    if (upstream.statusCode === 201 && quirks.rewriteAnswer) text = quirks.rewriteAnswer(text)
    res.writeHead(upstream.statusCode, out).end(text)
  })
  return server
}
