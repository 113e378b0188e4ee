/** The emulated API's routes, relative to the API base (`/v1`), as the OpenAPI file lists them. */
import {findRoute} from '../../net/http-route.js'

export type RouteName =
  | 'sessions.new'
  | 'session.get'
  | 'tracks.new'
  | 'tracks.update'
  | 'tracks.close'
  | 'renegotiate'
  | 'datachannels.establish'
  | 'datachannels.new'
  | 'datachannels.update'
  | 'datachannels.close'
  | 'adapters.new'
  | 'adapters.close'

export interface Route {
  name: RouteName
  appId: string
  sessionId?: string
}

const app = (name: RouteName, method: string, tail: string) => ({
  name,
  methods: [method],
  pattern: new RegExp(`^/v1/apps/([^/]+)/${tail}/*$`),
})
const session = (name: RouteName, method: string, tail: string) =>
  app(name, method, `sessions/([^/]+)${tail === '' ? '' : `/${tail}`}`)

// App routes first: `sessions/new` is not a session named "new".
const ROUTES = [
  app('sessions.new', 'POST', 'sessions/new'),
  app('adapters.new', 'POST', 'adapters/websocket/new'),
  app('adapters.close', 'POST', 'adapters/websocket/close'),
  session('session.get', 'GET', ''),
  session('tracks.new', 'POST', 'tracks/new'),
  session('tracks.update', 'PUT', 'tracks/update'),
  session('tracks.close', 'PUT', 'tracks/close'),
  session('renegotiate', 'PUT', 'renegotiate'),
  session('datachannels.establish', 'POST', 'datachannels/establish'),
  session('datachannels.new', 'POST', 'datachannels/new'),
  session('datachannels.update', 'PUT', 'datachannels/update'),
  session('datachannels.close', 'PUT', 'datachannels/close'),
]

const SEGMENT = /^[A-Za-z0-9._~-]{1,128}$/

function decode(segment: string): string | undefined {
  try {
    const value = decodeURIComponent(segment)
    return SEGMENT.test(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * Matches `/v1/apps/{appId}/…` (trailing slashes allowed). Returns the route, or the status to answer: 404 for an
 * unknown path or an id that is not one, 405 (with the allowed method) for a known path with another method.
 */
export function matchRoute(method: string, pathname: string): Route | {status: 404} | {status: 405; allow: string} {
  const found = findRoute(ROUTES, method, pathname)
  if (!found) return {status: 404}
  const appId = decode(found.match[1] as string)
  const sessionId = found.match[2] === undefined ? undefined : decode(found.match[2])
  if (appId === undefined || (found.match[2] !== undefined && (sessionId === undefined || sessionId === 'new'))) {
    return {status: 404}
  }
  if (!found.allowed) return {status: 405, allow: found.allow}
  return {name: found.route.name, appId, ...(sessionId !== undefined && {sessionId})}
}
