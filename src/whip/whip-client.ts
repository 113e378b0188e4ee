/**
 * The WHIP client (RFC 9725) over r58's one HTTP client: OPTIONS, POST (offer → answer), PATCH (trickle) and
 * DELETE, tolerant of the forms real servers use (MediaMTX across versions, Janus' simple-whip-server, …).
 * Every failure is an R58Error naming the step (`WHIP POST`) and quoting what the server said.
 */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import {type HttpResponse, headerValue, headerValues, httpRequest} from '../net/http.js'
import {parseLinkHeaders} from './link-header.js'
import {type ResolvedLocation, resolveLocation} from './location.js'

export interface WhipRequestOptions {
  /** Bearer token (`Authorization: Bearer …`); MediaMTX also takes `user:pass` here. */
  token?: string | undefined
  /** Deadline of each request. Default 5000 ms. */
  timeoutMs?: number
  signal?: AbortSignal | undefined
  dispatcher?: Dispatcher | undefined
  /** 307/308 redirects followed (method and body kept). Default 5. */
  maxRedirects?: number
}

export interface WhipOptionsResult {
  status: number
  /** Methods from `Allow` and `Access-Control-Allow-Methods`, upper-case. */
  methods: string[]
  acceptPost: string | null
  iceServers: IceServer[]
  /** Link headers that could not be used. */
  linkIgnored: string[]
  message: string | null
  durationMs: number
}

export interface WhipSession {
  /** The URL that answered the POST (after redirects). */
  endpoint: string
  /** Where PATCH and DELETE go. */
  resource: ResolvedLocation
  /** The raw Location header. */
  location: string | null
  /** Entity tag for If-Match: `ETag`, or the `E-Tag` of MediaMTX v0.23–v1.1. */
  etag: string | null
  etagHeader: 'ETag' | 'E-Tag' | null
  /** MediaMTX's session id (`ID` header, v0.23.4+); the source id of the path. */
  id: string | null
  acceptPatch: string | null
  iceServers: IceServer[]
  linkIgnored: string[]
  status: number
  answer: string
  redirects: string[]
  durationMs: number
  /** Sent with PATCH and DELETE; dropped when a redirect left the original origin. */
  token?: string | undefined
}

export type PatchOutcome = 'accepted' | 'unsupported' | 'rejected'

export interface WhipPatchResult {
  status: number
  outcome: PatchOutcome
  message: string | null
  durationMs: number
}

export interface WhipDeleteResult {
  status: number
  ok: boolean
  message: string | null
  durationMs: number
}

/** What a server said in an error body: JSON `{error|message|detail}`, else the first line of text. */
export function serverMessage(response: Pick<HttpResponse, 'body' | 'headers'>): string | null {
  const body = response.body.trim()
  if (body === '') return null
  const type = (headerValue(response, 'content-type') ?? '').toLowerCase()
  if (type.includes('html') || /^<!doctype html|^<html/i.test(body)) return '(an HTML page)'
  try {
    const json = JSON.parse(body) as Record<string, unknown>
    for (const key of ['error', 'message', 'detail', 'reason']) {
      const value = json?.[key]
      if (typeof value === 'string' && value !== '') return value
    }
  } catch {
    // not JSON: plain text
  }
  const line = body.split(/\r?\n/)[0] ?? ''
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}

function isHtml(response: HttpResponse): boolean {
  return serverMessage(response) === '(an HTML page)'
}

const said = (response: HttpResponse) => {
  const message = serverMessage(response)
  return message === null ? '' : `: ${JSON.stringify(message)}`
}

interface Sent {
  response: HttpResponse
  token: string | undefined
  redirects: string[]
}

/** One request with manual redirects, so a bearer token never follows a redirect to another origin. */
async function send(
  step: string,
  method: Dispatcher.HttpMethod,
  url: string,
  options: WhipRequestOptions,
  headers: Record<string, string>,
  body?: string,
): Promise<Sent> {
  let target = new URL(url)
  let token = options.token
  const redirects: string[] = []
  const started = performance.now()
  for (;;) {
    const all = {...headers, ...(token !== undefined && token !== '' && {authorization: `Bearer ${token}`})}
    const response = await httpRequest(target, {
      method,
      headers: all,
      ...(body !== undefined && {body}),
      step,
      timeoutMs: options.timeoutMs ?? 5000,
      ...(options.signal && {signal: options.signal}),
      ...(options.dispatcher && {dispatcher: options.dispatcher}),
    })
    const location = headerValue(response, 'location')
    if ((response.status === 307 || response.status === 308) && location) {
      if (redirects.length >= (options.maxRedirects ?? 5)) {
        throw new R58Error('E_PROTOCOL', `${step}: more than ${options.maxRedirects ?? 5} redirects`, {
          hint: `Last redirect: ${response.status} ${location}`,
        })
      }
      const next = new URL(location, target)
      redirects.push(`${response.status} ${next.toString()}`)
      if (next.origin !== target.origin) token = undefined
      target = next
      continue
    }
    response.url = target.toString()
    response.durationMs = Math.round(performance.now() - started)
    return {response, token, redirects}
  }
}

function authError(step: string, response: HttpResponse, hadToken: boolean): R58Error {
  return new R58Error(
    'E_AUTH',
    `${step}: HTTP ${response.status} (credentials ${hadToken ? 'rejected' : 'required'})${said(response)}`,
    {
      field: '--token',
      hint: hadToken
        ? 'Check the token: MediaMTX takes "user:pass" or a JWT (authInternalUsers / authJWTJWKS).'
        : 'Give the publish credentials with --mediamtx-token-file (a file holding "user:pass" or a JWT) or R58_MEDIAMTX_TOKEN_FILE.',
    },
  )
}

function notWhip(step: string, url: string, why: string): R58Error {
  return new R58Error('E_PROTOCOL', `${step}: ${url} is not a WHIP endpoint (${why})`, {
    hint: 'MediaMTX publishes at http://<host>:8889/<path>/whip; give that URL, or the server base URL with --path.',
  })
}

function methodsOf(response: HttpResponse): string[] {
  const values = [...headerValues(response, 'allow'), ...headerValues(response, 'access-control-allow-methods')]
  return [
    ...new Set(
      values
        .flatMap((value) => value.split(','))
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean),
    ),
  ]
}

/** `OPTIONS` on the endpoint: allowed methods and the ICE servers of its Link headers. Never throws on HTTP status. */
export async function whipOptions(url: string, options: WhipRequestOptions = {}): Promise<WhipOptionsResult> {
  const {response} = await send('WHIP OPTIONS', 'OPTIONS', url, options, {})
  const link = parseLinkHeaders(headerValues(response, 'link'))
  return {
    status: response.status,
    methods: methodsOf(response),
    acceptPost: headerValue(response, 'accept-post') ?? null,
    iceServers: link.servers,
    linkIgnored: link.ignored,
    message: response.status >= 400 || isHtml(response) ? serverMessage(response) : null,
    durationMs: response.durationMs,
  }
}

/** POSTs the offer. Returns the session on 201 (or 200); throws an R58Error on anything else. */
export async function whipPost(url: string, offer: string, options: WhipRequestOptions = {}): Promise<WhipSession> {
  const step = 'WHIP POST'
  const {response, token, redirects} = await send(
    step,
    'POST',
    url,
    options,
    {'content-type': 'application/sdp', accept: 'application/sdp'},
    offer,
  )
  const status = response.status
  if (status === 401 || status === 403) throw authError(step, response, Boolean(options.token))
  if (status === 404) throw notWhip(step, response.url, `HTTP 404${said(response)}`)
  if (status === 405) throw notWhip(step, response.url, `HTTP 405, POST not allowed${said(response)}`)
  if (status === 406) {
    throw new R58Error('E_PROTOCOL', `${step}: the server refused the offer (406 Not Acceptable)${said(response)}`, {
      hint: 'MediaMTX takes one audio and one video track and no data channel.',
    })
  }
  if (status >= 300 || status < 200) {
    if (isHtml(response)) throw notWhip(step, response.url, `HTTP ${status} with an HTML page`)
    throw new R58Error('E_PROTOCOL', `${step}: HTTP ${status}${said(response)}`, {
      hint:
        status >= 500 ? 'The server failed; its log says why.' : 'The server refused the offer; its message says why.',
    })
  }
  const type = (headerValue(response, 'content-type') ?? '').toLowerCase()
  if (isHtml(response)) throw notWhip(step, response.url, `HTTP ${status} with an HTML page`)
  if (!type.startsWith('application/sdp') && !response.body.startsWith('v=0')) {
    throw notWhip(step, response.url, `HTTP ${status} with ${type || 'no content type'} instead of an SDP answer`)
  }
  const etag = headerValue(response, 'etag')
  const oldEtag = headerValue(response, 'e-tag')
  const link = parseLinkHeaders(headerValues(response, 'link'))
  const location = headerValue(response, 'location') ?? null
  return {
    endpoint: response.url,
    resource: resolveLocation(location, response.url),
    location,
    etag: etag ?? oldEtag ?? null,
    etagHeader: etag !== undefined ? 'ETag' : oldEtag !== undefined ? 'E-Tag' : null,
    id: headerValue(response, 'id') ?? null,
    acceptPatch: headerValue(response, 'accept-patch') ?? null,
    iceServers: link.servers,
    linkIgnored: link.ignored,
    status,
    answer: response.body,
    redirects,
    durationMs: response.durationMs,
    token,
  }
}

const TRICKLE_UNSUPPORTED = new Set([405, 415, 422, 501])

/** PATCHes a trickle fragment. 405/415/422/501 mean "no trickle here": the caller falls back, nothing is thrown. */
export async function whipPatch(
  session: WhipSession,
  fragment: string,
  options: WhipRequestOptions = {},
): Promise<WhipPatchResult> {
  const step = 'WHIP PATCH'
  const headers: Record<string, string> = {'content-type': 'application/trickle-ice-sdpfrag'}
  if (session.etag !== null) headers['if-match'] = session.etag
  const {response} = await send(
    step,
    'PATCH',
    session.resource.url,
    {...options, token: session.token},
    headers,
    fragment,
  )
  const status = response.status
  if (status === 401 || status === 403) throw authError(step, response, Boolean(session.token))
  const outcome: PatchOutcome =
    status >= 200 && status < 300 ? 'accepted' : TRICKLE_UNSUPPORTED.has(status) ? 'unsupported' : 'rejected'
  return {
    status,
    outcome,
    message: outcome === 'accepted' ? null : serverMessage(response),
    durationMs: response.durationMs,
  }
}

/** DELETEs the session (RFC 9725 §4.4). Returns the outcome; throws only on transport failures and 401/403. */
export async function whipDelete(session: WhipSession, options: WhipRequestOptions = {}): Promise<WhipDeleteResult> {
  const step = 'WHIP DELETE'
  const {response} = await send(step, 'DELETE', session.resource.url, {...options, token: session.token}, {})
  const status = response.status
  if (status === 401 || status === 403) throw authError(step, response, Boolean(session.token))
  return {
    status,
    ok: status >= 200 && status < 300,
    message: status >= 200 && status < 300 ? null : serverMessage(response),
    durationMs: response.durationMs,
  }
}
