/**
 * A loopback proxy in front of the Calls emulator that plays the service's timing at chosen moments: a
 * request held for a while (Calls blocks up to 5 s waiting for a connection), a 429, or a session that
 * expires just before a request reaches it (the emulator then answers 410 itself). Everything else is
 * forwarded unchanged. Each rule fires `times` times (default once) and is recorded in `fired`.
 */
import type {IncomingMessage} from 'node:http'
import {request} from 'undici'
import type {CallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import {type LoopbackServer, startHttpServer} from './http-server.js'

export interface CallsRequest {
  method: string
  /** The path below `/v1/apps/{appId}/`, session ids replaced by `{id}` (`sessions/{id}/tracks/new`). */
  route: string
  sessionId: string | undefined
  body: Record<string, unknown>
}

export interface CallsFault {
  name: string
  when: (request: CallsRequest) => boolean
  /** Hold the request this long before forwarding it. */
  delayMs?: number
  /** Answer 429 (with Retry-After: 0) instead of forwarding. */
  status429?: boolean
  /** Expire the request's session in the emulator, then forward (the emulator answers 410). */
  expireSession?: boolean
  times?: number
}

export interface CallsFaultProxy extends LoopbackServer {
  apiBase: string
  /** Names of the faults that fired, in order. */
  fired: string[]
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function parse(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'))
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

export async function startCallsFaultProxy(
  emulator: CallsEmulator,
  faults: readonly CallsFault[],
): Promise<CallsFaultProxy> {
  const left = new Map(faults.map((fault) => [fault, fault.times ?? 1]))
  const fired: string[] = []
  const server = await startHttpServer(async (req, res) => {
    const body = await read(req)
    const path = new URL(req.url ?? '/', 'http://proxy').pathname
    const match = /^\/v1\/apps\/[^/]+\/(.*)$/.exec(path)
    const rest = match?.[1] ?? ''
    const session = /^sessions\/(?!new$)([^/]+)/.exec(rest)?.[1]
    const call: CallsRequest = {
      method: req.method ?? 'GET',
      route: session === undefined ? rest : rest.replace(session, '{id}'),
      sessionId: session,
      body: parse(body),
    }
    for (const fault of faults) {
      if ((left.get(fault) ?? 0) <= 0 || !fault.when(call)) continue
      left.set(fault, (left.get(fault) ?? 0) - 1)
      fired.push(fault.name)
      if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      if (fault.expireSession && session !== undefined) emulator.expireSession(session, 'expired by the test')
      if (fault.status429) {
        res
          .writeHead(429, {'content-type': 'application/json', 'retry-after': '0'})
          .end('{"errorDescription":"Too many requests"}')
        return
      }
    }
    const upstream = await request(`${emulator.url}${req.url}`, {
      method: call.method as 'GET',
      headers: {authorization: req.headers.authorization ?? '', 'content-type': 'application/json'},
      ...(body.length > 0 && {body}),
    })
    const headers: Record<string, string> = {'content-type': 'application/json'}
    const retryAfter = upstream.headers['retry-after']
    if (typeof retryAfter === 'string') headers['retry-after'] = retryAfter
    res.writeHead(upstream.statusCode, headers).end(await upstream.body.text())
  })
  return {...server, apiBase: `${server.url}/v1`, fired}
}

/** Requests that pull remote tracks (tracks/new whose tracks are remote). */
export function isPull(request: CallsRequest): boolean {
  const tracks = request.body['tracks']
  return (
    request.route === 'sessions/{id}/tracks/new' &&
    Array.isArray(tracks) &&
    tracks.some((t) => (t as {location?: string}).location === 'remote')
  )
}
