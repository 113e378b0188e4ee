/**
 * The control API (v3) of the MediaMTX stand-in, shaped after MediaMTX's OpenAPI files
 * (test/fixtures/mediamtx-openapi) and its version history: `/v3/info` from v1.15.2, `available`/`online` from
 * v1.16.0, `inboundBytes`/`tracks2` from v1.17.0, `{"status":"ok"}` bodies from v1.15.5. It serves whatever
 * state it is given; the WHIP side of the stand-in fills that state with real sessions.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {atLeast, type Version} from '../../mediamtx/version.js'
import {
  type ConfSchema,
  confBodyProblem,
  globalConfSchema,
  PATH_CONF_SCHEMA,
  pathConfProblem,
  pathNameProblem,
  withoutNulls,
} from './conf-validate.js'

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
  /** Path configurations (`paths:` of the file), for /v3/config/paths/*; those routes answer 404 without it. */
  pathConfigs?(): Record<string, Record<string, unknown>>
  /** Replaces every path configuration; returns an error message to answer 400 with, or undefined. */
  setPathConfigs?(paths: Record<string, Record<string, unknown>>): string | undefined
}

export interface StandinApiOptions {
  state: StandinState
  /** When set, requests need HTTP Basic credentials (MediaMTX's `api` permission); otherwise open. */
  auth?: {user: string; pass: string}
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

class BadBody extends Error {}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new BadBody('request body too large')
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (e) {
    throw new BadBody(`invalid JSON: ${(e as Error).message}`)
  }
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

  /** The body, validated like MediaMTX; undefined after answering 400. */
  const validBody = async (
    req: IncomingMessage,
    res: ServerResponse,
    schema: ConfSchema,
  ): Promise<Record<string, unknown> | undefined> => {
    let body: unknown
    try {
      body = await readJsonBody(req)
    } catch (e) {
      if (!(e instanceof BadBody)) throw e
      error(res, 400, e.message)
      return undefined
    }
    const problem = confBodyProblem(body, schema)
    if (problem !== undefined) {
      error(res, 400, problem)
      return undefined
    }
    return withoutNulls(body as Record<string, unknown>)
  }

  /** /v3/config/paths/{list,get,add,patch,replace,delete}: MediaMTX's path configuration endpoints. */
  const pathConfRoute = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    action: string,
    name: string,
    url: URL,
  ): Promise<void> => {
    const get = state.pathConfigs as () => Record<string, Record<string, unknown>>
    const set = state.setPathConfigs as (paths: Record<string, Record<string, unknown>>) => string | undefined
    const paths = get()
    const expected =
      action === 'list' || action === 'get'
        ? 'GET'
        : action === 'patch'
          ? 'PATCH'
          : action === 'delete'
            ? 'DELETE'
            : 'POST'
    if (method !== expected || (action === 'list') !== (name === '')) {
      error(res, 404, 'not found')
      return
    }
    if (action === 'list') {
      json(
        res,
        200,
        paginate(
          Object.entries(paths).map(([n, conf]) => ({name: n, ...conf})),
          url,
        ),
      )
      return
    }
    const nameProblem = pathNameProblem(name)
    if (nameProblem !== undefined) {
      error(res, 400, nameProblem)
      return
    }
    const exists = Object.hasOwn(paths, name)
    if (action === 'get') {
      if (exists) json(res, 200, {name, ...paths[name]})
      else error(res, 404, 'path configuration not found')
      return
    }
    let next: Record<string, unknown> | undefined
    if (action !== 'delete') {
      next = await validBody(req, res, PATH_CONF_SCHEMA)
      if (next === undefined) return
      const problem = pathConfProblem(next, state.version)
      if (problem !== undefined) {
        error(res, 400, problem)
        return
      }
    }
    if (action === 'add' && exists) {
      error(res, 400, 'path already exists')
      return
    }
    if (action !== 'add' && !exists) {
      error(res, 404, 'path configuration not found')
      return
    }
    // Built from entries, so a path named `__proto__` is a path like any other.
    const others = Object.entries(paths).filter(([n]) => n !== name)
    const conf: Record<string, unknown> = action === 'patch' ? {...paths[name], ...next} : {...next}
    const refused = set(Object.fromEntries(action === 'delete' ? others : [...others, [name, conf]]))
    if (refused !== undefined) error(res, 400, refused)
    else ok(res)
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
    // Go's HTTP server refuses a request target with a malformed percent-escape before any handler runs.
    if (!hasValidEscapes(p)) {
      error(res, 400, 'invalid URL escape')
      return
    }
    if (method === 'GET' && p === '/v3/info' && atLeast(state.version, 'v1.15.2')) {
      json(res, 200, {version: `v${state.version.join('.')}`, started: state.started})
      return
    }
    if (method === 'GET' && p === '/v3/config/global/get') {
      json(res, 200, state.globalConfig())
      return
    }
    if (method === 'PATCH' && p === '/v3/config/global/patch') {
      const patch = await validBody(req, res, globalConfSchema(state.version))
      if (patch === undefined) return
      const refused = state.patchGlobalConfig(patch)
      if (refused !== undefined) error(res, 400, refused)
      else ok(res)
      return
    }
    const pathConf = /^\/v3\/config\/paths\/(list|get|add|patch|replace|delete)(?:\/(.+))?$/.exec(p)
    // The v3 API (and with it /v3/config/paths) arrived in v1.2.0 (docs/mediamtx.md).
    if (pathConf && state.pathConfigs && state.setPathConfigs && atLeast(state.version, 'v1.2.0')) {
      await pathConfRoute(req, res, method, pathConf[1] as string, decodeURIComponent(pathConf[2] ?? ''), url)
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
    error(res, 404, 'not found')
  }

  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, String((e as Error)?.message ?? e))
      else res.end()
    })
  }
}

function hasValidEscapes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname)
    return true
  } catch {
    return false
  }
}
