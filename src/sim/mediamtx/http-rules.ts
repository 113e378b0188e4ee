/**
 * MediaMTX's WHIP HTTP behaviour, version by version (docs/mediamtx.md §4.1–4.3; `http_server.go` of each release):
 * which headers the 201 carries, the form of `Location`, how errors and successes are written. Pure.
 */
import {atLeast, type Version} from '../../mediamtx/version.js'

export interface SessionLocationInput {
  pathName: string
  rawQuery: string
  secret: string
  /** The request path of the POST (`/cam/whip`). */
  requestPath: string
}

/** The Location header of a 201, or undefined when the version sends none (v0.23.0–v0.23.2). */
export function sessionLocation(version: Version, input: SessionLocationInput): string | undefined {
  const query = input.rawQuery === '' ? '' : `?${input.rawQuery}`
  if (!atLeast(version, 'v0.23.3')) return undefined
  if (!atLeast(version, 'v1.2.1')) return `${input.requestPath}${query}` // the request URL itself
  if (!atLeast(version, 'v1.3.0')) return `/${input.pathName}/whip/${input.secret}${query}`
  if (!atLeast(version, 'v1.7.0')) return `whip/${input.secret}` // relative to the POST URL
  if (!atLeast(version, 'v1.10.0')) return `/${input.pathName}/whip/${input.secret}`
  return `/${input.pathName}/whip/${input.secret}${query}`
}

export interface CreatedHeadersInput extends SessionLocationInput {
  id: string
  /** `Link` values for the ICE servers handed to clients. */
  links: readonly string[]
}

/** The headers of MediaMTX's `201 Created` WHIP answer. */
export function createdHeaders(version: Version, input: CreatedHeadersInput): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {'content-type': 'application/sdp'}
  const location = sessionLocation(version, input)
  const modernEtag = atLeast(version, 'v1.2.1')
  const etagName = atLeast(version, 'v1.2.0') ? 'etag' : 'e-tag'
  const expose = [
    etagName === 'etag' ? 'ETag' : 'E-Tag',
    ...(atLeast(version, 'v1.2.1') ? ['ID'] : []),
    'Accept-Patch',
    'Link',
    ...(atLeast(version, 'v1.2.0') ? ['Location'] : []),
  ]
  if (atLeast(version, 'v0.23.4')) headers['access-control-expose-headers'] = expose.join(', ')
  headers[etagName] = modernEtag ? '*' : input.secret
  if (atLeast(version, 'v0.23.4')) headers['id'] = input.id
  headers['accept-patch'] = 'application/trickle-ice-sdpfrag'
  if (input.links.length > 0) headers['link'] = [...input.links]
  if (location !== undefined) headers['location'] = location
  return headers
}

/** Sessions live at `/<path>/whip/<secret>` from v1.2.1; before, PATCH went to the endpoint with `If-Match: <secret>`. */
export function hasSessionUrls(version: Version): boolean {
  return atLeast(version, 'v1.2.1')
}

/** DELETE exists from v1.2.1. */
export function supportsDelete(version: Version): boolean {
  return atLeast(version, 'v1.2.1')
}

/** Status for PATCH/DELETE of an unknown session: 404 from v1.7.0, a 500 before. */
export function unknownSessionStatus(version: Version): number {
  return atLeast(version, 'v1.7.0') ? 404 : 500
}

/** MediaMTX's JSON error body: `{"status":"error","error":…}` from v1.15.5, `{"error":…}` before. */
export function errorBody(version: Version, message: string): Record<string, string> {
  return atLeast(version, 'v1.15.5') ? {status: 'error', error: message} : {error: message}
}

/** MediaMTX's JSON success body for DELETE/PATCH, or undefined for an empty body (before v1.15.5). */
export function okBody(version: Version): Record<string, string> | undefined {
  return atLeast(version, 'v1.15.5') ? {status: 'ok'} : undefined
}

/** `charset` parameters on Content-Type are accepted from v1.8.0 (#3274). */
export function contentTypeMatches(version: Version, header: string | undefined, expected: string): boolean {
  const value = (header ?? '').trim().toLowerCase()
  if (value === expected) return true
  return atLeast(version, 'v1.8.0') && value.split(';')[0]?.trim() === expected
}

export const ALLOW_METHODS = 'OPTIONS, GET, POST, PATCH, DELETE'
export const ALLOW_HEADERS = 'Authorization, Content-Type, If-Match'
