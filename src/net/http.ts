/**
 * The one HTTP client of r58 (undici). Every request has a deadline, a bounded response size and an
 * injectable dispatcher, and every failure comes back as an R58Error that names the failing step:
 * DNS lookup, TCP connect, TLS handshake, HTTP response, or the deadline.
 */
import {type Dispatcher, request} from 'undici'
import {R58Error, systemErrorCode} from '../errors.js'

export interface HttpRequest {
  method?: Dispatcher.HttpMethod
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** Whole-request deadline (connect → last body byte). Default 3000 ms. */
  timeoutMs?: number
  signal?: AbortSignal
  /** Responses larger than this are cut off with an error. Default 1 MiB. */
  maxBodyBytes?: number
  /** Follow up to this many redirects (307/308 keep method and body, as WHIP requires). Default 0. */
  followRedirects?: number
  /** Injected transport (tests, custom TLS). Default: undici's global dispatcher. */
  dispatcher?: Dispatcher
  /** Names the step in errors, e.g. `WHIP POST`. Default `METHOD host`. */
  step?: string
}

export interface HttpResponse {
  status: number
  /** Lower-case header names; repeated headers are arrays. */
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The URL that answered (after redirects). */
  url: string
  /** Each redirect followed, as `status Location`. */
  redirects: string[]
  durationMs: number
}

/** The first value of a header. */
export function headerValue(response: Pick<HttpResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** Every value of a header, split on commas outside quotes and angle brackets where the header allows lists. */
export function headerValues(response: Pick<HttpResponse, 'headers'>, name: string): string[] {
  const value = response.headers[name.toLowerCase()]
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_)/

/** Maps a transport failure to an R58Error naming the step that failed. */
export function classifyHttpError(
  error: unknown,
  url: URL,
  step: string,
  timeoutMs: number,
  signal?: AbortSignal,
): R58Error {
  const code = systemErrorCode(error)
  const host = url.hostname
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  if (signal?.aborted) return new R58Error('E_ABORTED', `${step}: cancelled`, {cause: error})
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new R58Error('E_UNREACHABLE', `${step}: DNS lookup of ${host} failed (${code})`, {
      hint: `Check the host name in ${url.origin}.`,
      cause: error,
    })
  }
  if (code === 'ECONNREFUSED') {
    return new R58Error('E_UNREACHABLE', `${step}: TCP connection to ${host}:${port} refused`, {
      hint: 'Is the server running and listening on that port?',
      cause: error,
    })
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new R58Error('E_UNREACHABLE', `${step}: no route to ${host}:${port} (${code})`, {cause: error})
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return new R58Error('E_UNREACHABLE', `${step}: connection to ${host}:${port} was reset`, {cause: error})
  }
  if (code !== undefined && TLS_CODES.test(code)) {
    return new R58Error('E_TLS', `${step}: TLS handshake with ${host}:${port} failed (${code})`, {
      hint: code.includes('ALTNAME')
        ? `The certificate is not valid for ${host}.`
        : 'The server certificate is not trusted here.',
      cause: error,
    })
  }
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  ) {
    return new R58Error('E_TIMEOUT', `${step}: no answer from ${host}:${port} within ${timeoutMs} ms`, {cause: error})
  }
  const message = error instanceof Error ? error.message : String(error)
  return new R58Error('E_UNREACHABLE', `${step}: ${message}`, {cause: error})
}

async function readBounded(body: Dispatcher.ResponseData['body'], max: number, step: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > max) {
      body.destroy()
      throw new R58Error('E_PROTOCOL', `${step}: response larger than ${max} bytes`)
    }
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

export async function httpRequest(target: string | URL, options: HttpRequest = {}): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 3000
  const maxBody = options.maxBodyBytes ?? 1024 * 1024
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline
  const started = performance.now()
  const redirects: string[] = []
  let url = new URL(target)
  let method: Dispatcher.HttpMethod = options.method ?? 'GET'
  let body = options.body
  for (;;) {
    const step = options.step ?? `${method} ${url.host}`
    let response: Dispatcher.ResponseData
    try {
      response = await request(url, {
        method,
        signal,
        ...(options.headers && {headers: options.headers}),
        ...(body !== undefined && {body}),
        ...(options.dispatcher && {dispatcher: options.dispatcher}),
      })
    } catch (error) {
      throw classifyHttpError(error, url, step, timeoutMs, options.signal)
    }
    let text: string
    try {
      text = await readBounded(response.body, maxBody, step)
    } catch (error) {
      if (error instanceof R58Error) throw error
      throw classifyHttpError(error, url, step, timeoutMs, options.signal)
    }
    const headers = response.headers as HttpResponse['headers']
    const location = headerValue({headers}, 'location')
    if (REDIRECTS.has(response.statusCode) && location && redirects.length < (options.followRedirects ?? 0)) {
      redirects.push(`${response.statusCode} ${location}`)
      url = new URL(location, url)
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
      ) {
        method = 'GET'
        body = undefined
      }
      continue
    }
    return {
      status: response.statusCode,
      headers,
      body: text,
      url: url.toString(),
      redirects,
      durationMs: Math.round(performance.now() - started),
    }
  }
}
