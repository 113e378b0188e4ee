/**
 * The control API (v3) of the MediaMTX stand-in, shaped after MediaMTX's OpenAPI files
 * (test/fixtures/mediamtx-openapi) and its version history: `/v3/info` from v1.15.2, `available`/`online` from
 * v1.16.0, `inboundBytes`/`tracks2` from v1.17.0, `{"status":"ok"}` bodies from v1.15.5. It serves whatever
 * state it is given; the WHIP side of the stand-in fills that state with real sessions.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {isKeyAccepted} from '../key-rules.js'
import {atLeast, type Version} from '../version.js'

export interface StandinPath {
  name: string
  confName: string
  ready: boolean
  readyTime: string | null
  source: {type: string; id: string} | null
  /** Codec names, e.g. `VP8`, `Opus`. */
  tracks: string[]
  inboundBytes: number
  outboundBytes: number
  readers: {type: string; id: string}[]
}

export interface StandinWebrtcSession {
  id: string
  created: string
  remoteAddr: string
  peerConnectionEstablished: boolean
  localCandidate: string
  remoteCandidate: string
  state: 'publish' | 'read'
  path: string
  query: string
  inboundBytes: number
  inboundRTPPackets: number
  inboundRTPPacketsLost: number
  inboundRTPPacketsJitter: number
  inboundRTCPPackets: number
  outboundBytes: number
  outboundRTPPackets: number
  outboundRTCPPackets: number
}

export interface StandinState {
  version: Version
  started: string
  /** The global configuration as `/v3/config/global/get` returns it. */
  globalConfig(): Record<string, unknown>
  /** Applies a validated patch; returns an error message to answer 400 with, or undefined. */
  patchGlobalConfig(patch: Record<string, unknown>): string | undefined
  paths(): StandinPath[]
  webrtcSessions(): StandinWebrtcSession[]
  kickWebrtcSession(id: string): boolean
}

export interface StandinApiOptions {
  state: StandinState
  /** When set, requests need HTTP Basic credentials (MediaMTX's `api` permission); otherwise open. */
  auth?: {user: string; pass: string}
  /** issue 14: `/v3/config/paths/*` (config-paths.ts); undefined = not this route. */
  configPaths?: (
    method: string,
    pathname: string,
    readBody: () => Promise<unknown>,
  ) => Promise<{status: number; body?: unknown; error?: string} | undefined>
}

const MAX_BODY = 256 * 1024

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

function pathJson(path: StandinPath, version: Version): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: path.name,
    confName: path.confName,
    source: path.source,
    ready: path.ready,
    readyTime: path.readyTime,
    tracks: path.tracks,
    bytesReceived: path.inboundBytes,
    bytesSent: path.outboundBytes,
    readers: path.readers,
  }
  if (atLeast(version, 'v1.16.0')) {
    Object.assign(out, {
      available: path.ready,
      availableTime: path.readyTime,
      online: path.source !== null,
      onlineTime: path.readyTime,
    })
  }
  if (atLeast(version, 'v1.17.0')) {
    Object.assign(out, {
      inboundBytes: path.inboundBytes,
      outboundBytes: path.outboundBytes,
      inboundFramesInError: 0,
      tracks2: path.tracks.map((codec) => ({codec, codecProps: {}})),
    })
  }
  return out
}

function sessionJson(session: StandinWebrtcSession, version: Version): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: session.id,
    created: session.created,
    remoteAddr: session.remoteAddr,
    peerConnectionEstablished: session.peerConnectionEstablished,
    localCandidate: session.localCandidate,
    remoteCandidate: session.remoteCandidate,
    state: session.state,
    path: session.path,
    query: session.query,
    bytesReceived: session.inboundBytes,
    bytesSent: session.outboundBytes,
    rtpPacketsReceived: session.inboundRTPPackets,
    rtpPacketsSent: session.outboundRTPPackets,
    rtpPacketsLost: session.inboundRTPPacketsLost,
    rtpPacketsJitter: session.inboundRTPPacketsJitter,
    rtcpPacketsReceived: session.inboundRTCPPackets,
    rtcpPacketsSent: session.outboundRTCPPackets,
  }
  if (atLeast(version, 'v1.17.0')) {
    Object.assign(out, {
      inboundBytes: session.inboundBytes,
      inboundRTPPackets: session.inboundRTPPackets,
      inboundRTPPacketsLost: session.inboundRTPPacketsLost,
      inboundRTPPacketsJitter: session.inboundRTPPacketsJitter,
      inboundRTCPPackets: session.inboundRTCPPackets,
      outboundBytes: session.outboundBytes,
      outboundRTPPackets: session.outboundRTPPackets,
      outboundRTCPPackets: session.outboundRTCPPackets,
      outboundFramesDiscarded: 0,
    })
  }
  return out
}

function paginate<T>(items: T[], url: URL): {pageCount: number; itemCount: number; items: T[]} {
  const perPage = Math.max(1, Math.min(1000, Number(url.searchParams.get('itemsPerPage') ?? 100) || 100))
  const page = Math.max(0, Number(url.searchParams.get('page') ?? 0) || 0)
  return {
    itemCount: items.length,
    pageCount: Math.ceil(items.length / perPage),
    items: items.slice(page * perPage, (page + 1) * perPage),
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

/** Returns a request handler; it answers every request (404 for unknown routes) and never throws. */
export function createStandinApiHandler(
  options: StandinApiOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const {state} = options
  const error = (res: ServerResponse, status: number, message: string) =>
    json(res, status, atLeast(state.version, 'v1.15.5') ? {status: 'error', error: message} : {error: message})
  const ok = (res: ServerResponse) => {
    if (atLeast(state.version, 'v1.15.5')) json(res, 200, {status: 'ok'})
    else res.writeHead(200).end()
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (options.auth) {
      const expected = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.pass}`).toString('base64')}`
      if (req.headers.authorization !== expected) {
        res.setHeader('www-authenticate', 'Basic realm="mediamtx"')
        error(res, 401, 'authentication error')
        return
      }
    }
    const url = new URL(req.url ?? '/', 'http://standin')
    const method = req.method ?? 'GET'
    const p = url.pathname
    if (method === 'GET' && p === '/v3/info' && atLeast(state.version, 'v1.15.2')) {
      json(res, 200, {version: `v${state.version.join('.')}`, started: state.started})
      return
    }
    if (method === 'GET' && p === '/v3/config/global/get') {
      json(res, 200, state.globalConfig())
      return
    }
    if (method === 'PATCH' && p === '/v3/config/global/patch') {
      let patch: unknown
      try {
        patch = await readJsonBody(req)
      } catch (e) {
        error(res, 400, e instanceof SyntaxError ? 'invalid JSON' : String((e as Error).message))
        return
      }
      if (!patch || typeof patch !== 'object' || Array.isArray(patch)) {
        error(res, 400, 'json: cannot unmarshal into Go value of type conf.OptionalGlobal')
        return
      }
      const unknown = Object.keys(patch).find((key) => !isKeyAccepted(key, state.version))
      if (unknown !== undefined) {
        error(res, 400, `json: unknown field "${unknown}"`)
        return
      }
      const refused = state.patchGlobalConfig(patch as Record<string, unknown>)
      if (refused !== undefined) error(res, 400, refused)
      else ok(res)
      return
    }
    if (method === 'GET' && p === '/v3/paths/list') {
      json(
        res,
        200,
        paginate(
          state.paths().map((path) => pathJson(path, state.version)),
          url,
        ),
      )
      return
    }
    const pathGet = /^\/v3\/paths\/get\/(.+)$/.exec(p)
    if (method === 'GET' && pathGet) {
      const name = decodeURIComponent(pathGet[1] ?? '')
      const path = state.paths().find((item) => item.name === name)
      if (path) json(res, 200, pathJson(path, state.version))
      else error(res, 404, 'path not found')
      return
    }
    if (method === 'GET' && p === '/v3/webrtcsessions/list') {
      json(
        res,
        200,
        paginate(
          state.webrtcSessions().map((s) => sessionJson(s, state.version)),
          url,
        ),
      )
      return
    }
    const sessionGet = /^\/v3\/webrtcsessions\/get\/([^/]+)$/.exec(p)
    if (method === 'GET' && sessionGet) {
      const session = state.webrtcSessions().find((item) => item.id === decodeURIComponent(sessionGet[1] ?? ''))
      if (session) json(res, 200, sessionJson(session, state.version))
      else error(res, 404, 'session not found')
      return
    }
    const kick = /^\/v3\/webrtcsessions\/kick\/([^/]+)$/.exec(p)
    if (method === 'POST' && kick) {
      if (state.kickWebrtcSession(decodeURIComponent(kick[1] ?? ''))) ok(res)
      else error(res, 404, 'session not found')
      return
    }
    // issue 14: configured paths, added and removed at run time (relay whep mode).
    const configured = await options.configPaths?.(method, p, () => readJsonBody(req))
    if (configured) {
      if (configured.error !== undefined) error(res, configured.status, configured.error)
      else if (configured.body !== undefined) json(res, configured.status, configured.body)
      else ok(res)
      return
    }
    error(res, 404, 'not found')
  }

  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, String((e as Error)?.message ?? e))
      else res.end()
    })
  }
}
