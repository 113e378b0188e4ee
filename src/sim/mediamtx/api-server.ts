/**
 * The control API (v3) of the MediaMTX stand-in, shaped after MediaMTX's OpenAPI files
 * (test/fixtures/mediamtx-openapi) and its version history: `/v3/info` from v1.15.2, `available`/`online` from
 * v1.16.0, `inboundBytes`/`tracks2` from v1.17.0, `{"status":"ok"}` bodies from v1.15.5. It serves whatever
 * state it is given; the WHIP side of the stand-in fills that state with real sessions.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {atLeast, type Version} from '../../mediamtx/version.js'
import {BodyTooLargeError, readBody} from '../../net/http-body.js'
import {replyJson} from '../../net/http-reply.js'
import {findRoute, type RoutePattern} from '../../net/http-route.js'
import {
  type ConfSchema,
  confBodyProblem,
  globalConfSchema,
  PATH_CONF_SCHEMA,
  pathConfProblem,
  pathNameProblem,
  withoutNulls,
} from './conf-validate.js'
import {errorBody} from './http-rules.js'

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
  replyJson(res, status, body, {contentType: 'application/json; charset=utf-8'})
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
  let text: string
  try {
    text = await readBody(req, MAX_BODY, {checkDeclared: false})
  } catch (e) {
    throw e instanceof BodyTooLargeError ? new BadBody('request body too large') : e
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new BadBody(`invalid JSON: ${(e as Error).message}`)
  }
}

/** One request to the API, for its route handlers. */
interface ApiRequest {
  state: StandinState
  req: IncomingMessage
  res: ServerResponse
  url: URL
  match: RegExpExecArray
}

function error({state, res}: Pick<ApiRequest, 'state' | 'res'>, status: number, message: string): void {
  json(res, status, errorBody(state.version, message))
}

function ok({state, res}: ApiRequest): void {
  if (atLeast(state.version, 'v1.15.5')) json(res, 200, {status: 'ok'})
  else res.writeHead(200).end()
}

/** The body, validated like MediaMTX; undefined after answering 400. */
async function validBody(request: ApiRequest, schema: ConfSchema): Promise<Record<string, unknown> | undefined> {
  let body: unknown
  try {
    body = await readJsonBody(request.req)
  } catch (e) {
    if (!(e instanceof BadBody)) throw e
    error(request, 400, e.message)
    return undefined
  }
  const problem = confBodyProblem(body, schema)
  if (problem !== undefined) {
    error(request, 400, problem)
    return undefined
  }
  return withoutNulls(body as Record<string, unknown>)
}

const PATH_CONF_METHODS: Record<string, string> = {
  list: 'GET',
  get: 'GET',
  patch: 'PATCH',
  delete: 'DELETE',
  add: 'POST',
  replace: 'POST',
}

/** /v3/config/paths/{list,get,add,patch,replace,delete}: MediaMTX's path configuration endpoints. */
async function pathConfRoute(request: ApiRequest): Promise<void> {
  const {state, req, res, url, match} = request
  const action = match[1] as string
  const name = decodeURIComponent(match[2] ?? '')
  const paths = (state.pathConfigs as () => Record<string, Record<string, unknown>>)()
  if (req.method !== PATH_CONF_METHODS[action] || (action === 'list') !== (name === '')) {
    error(request, 404, 'not found')
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
    error(request, 400, nameProblem)
    return
  }
  if (action === 'get') {
    if (Object.hasOwn(paths, name)) json(res, 200, {name, ...paths[name]})
    else error(request, 404, 'path configuration not found')
    return
  }
  await changePathConf(request, action, name, paths)
}

/** add, patch, replace or delete one path configuration. */
async function changePathConf(
  request: ApiRequest,
  action: string,
  name: string,
  paths: Record<string, Record<string, unknown>>,
): Promise<void> {
  const {state} = request
  const exists = Object.hasOwn(paths, name)
  let next: Record<string, unknown> | undefined
  if (action !== 'delete') {
    next = await validBody(request, PATH_CONF_SCHEMA)
    if (next === undefined) return
    const problem = pathConfProblem(next, state.version)
    if (problem !== undefined) {
      error(request, 400, problem)
      return
    }
  }
  if (action === 'add' && exists) {
    error(request, 400, 'path already exists')
    return
  }
  if (action !== 'add' && !exists) {
    error(request, 404, 'path configuration not found')
    return
  }
  // Built from entries, so a path named `__proto__` is a path like any other.
  const others = Object.entries(paths).filter(([n]) => n !== name)
  const conf: Record<string, unknown> = action === 'patch' ? {...paths[name], ...next} : {...next}
  const set = state.setPathConfigs as (paths: Record<string, Record<string, unknown>>) => string | undefined
  const refused = set(Object.fromEntries(action === 'delete' ? others : [...others, [name, conf]]))
  if (refused !== undefined) error(request, 400, refused)
  else ok(request)
}

interface ApiRoute extends RoutePattern {
  handle(request: ApiRequest): Promise<void> | void
}

const list = <T>(request: ApiRequest, items: T[]) => json(request.res, 200, paginate(items, request.url))
const capture = (request: ApiRequest) => decodeURIComponent(request.match[1] ?? '')

/**
 * The API's routes. A path without its route, or with another method, is MediaMTX's 404 `not found`; so is a route
 * the emulated version does not have yet.
 */
const ROUTES: ApiRoute[] = [
  {
    methods: ['GET'],
    pattern: /^\/v3\/info$/,
    handle: (request) => {
      const {state} = request
      if (!atLeast(state.version, 'v1.15.2')) return error(request, 404, 'not found')
      json(request.res, 200, {version: `v${state.version.join('.')}`, started: state.started})
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/v3\/config\/global\/get$/,
    handle: (request) => json(request.res, 200, request.state.globalConfig()),
  },
  {
    methods: ['PATCH'],
    pattern: /^\/v3\/config\/global\/patch$/,
    handle: async (request) => {
      const patch = await validBody(request, globalConfSchema(request.state.version))
      if (patch === undefined) return
      const refused = request.state.patchGlobalConfig(patch)
      if (refused !== undefined) error(request, 400, refused)
      else ok(request)
    },
  },
  {
    methods: Object.values(PATH_CONF_METHODS),
    pattern: /^\/v3\/config\/paths\/(list|get|add|patch|replace|delete)(?:\/(.+))?$/,
    handle: (request) => {
      const {state} = request
      // The v3 API (and with it /v3/config/paths) arrived in v1.2.0 (docs/mediamtx.md).
      if (!state.pathConfigs || !state.setPathConfigs || !atLeast(state.version, 'v1.2.0')) {
        return error(request, 404, 'not found')
      }
      return pathConfRoute(request)
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/v3\/paths\/list$/,
    handle: (request) =>
      list(
        request,
        request.state.paths().map((path) => pathJson(path, request.state.version)),
      ),
  },
  {
    methods: ['GET'],
    pattern: /^\/v3\/paths\/get\/(.+)$/,
    handle: (request) => {
      const name = capture(request)
      const path = request.state.paths().find((item) => item.name === name)
      if (path) json(request.res, 200, pathJson(path, request.state.version))
      else error(request, 404, 'path not found')
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/v3\/webrtcsessions\/list$/,
    handle: (request) =>
      list(
        request,
        request.state.webrtcSessions().map((s) => sessionJson(s, request.state.version)),
      ),
  },
  {
    methods: ['GET'],
    pattern: /^\/v3\/webrtcsessions\/get\/([^/]+)$/,
    handle: (request) => {
      const session = request.state.webrtcSessions().find((item) => item.id === capture(request))
      if (session) json(request.res, 200, sessionJson(session, request.state.version))
      else error(request, 404, 'session not found')
    },
  },
  {
    methods: ['POST'],
    pattern: /^\/v3\/webrtcsessions\/kick\/([^/]+)$/,
    handle: (request) => {
      if (request.state.kickWebrtcSession(capture(request))) ok(request)
      else error(request, 404, 'session not found')
    },
  },
]

async function route(options: StandinApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const {state} = options
  const early = {state, res}
  if (options.auth) {
    const expected = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.pass}`).toString('base64')}`
    if (req.headers.authorization !== expected) {
      res.setHeader('www-authenticate', 'Basic realm="mediamtx"')
      error(early, 401, 'authentication error')
      return
    }
  }
  const url = new URL(req.url ?? '/', 'http://standin')
  // Go's HTTP server refuses a request target with a malformed percent-escape before any handler runs.
  if (!hasValidEscapes(url.pathname)) {
    error(early, 400, 'invalid URL escape')
    return
  }
  const found = findRoute(ROUTES, req.method ?? 'GET', url.pathname)
  if (!found?.allowed) {
    error(early, 404, 'not found')
    return
  }
  await found.route.handle({state, req, res, url, match: found.match})
}

/** Returns a request handler; it answers every request (404 for unknown routes) and never throws. */
export function createStandinApiHandler(
  options: StandinApiOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(options, req, res).catch((e: unknown) => {
      if (!res.headersSent) error({state: options.state, res}, 500, String((e as Error)?.message ?? e))
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
