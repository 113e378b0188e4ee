/** The emulated API's routes, relative to the API base (`/v1`), as the OpenAPI file lists them. */

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

const SESSION_ROUTES: Record<string, {name: RouteName; method: string}> = {
  '': {name: 'session.get', method: 'GET'},
  'tracks/new': {name: 'tracks.new', method: 'POST'},
  'tracks/update': {name: 'tracks.update', method: 'PUT'},
  'tracks/close': {name: 'tracks.close', method: 'PUT'},
  renegotiate: {name: 'renegotiate', method: 'PUT'},
  'datachannels/establish': {name: 'datachannels.establish', method: 'POST'},
  'datachannels/new': {name: 'datachannels.new', method: 'POST'},
  'datachannels/update': {name: 'datachannels.update', method: 'PUT'},
  'datachannels/close': {name: 'datachannels.close', method: 'PUT'},
}

const APP_ROUTES: Record<string, {name: RouteName; method: string}> = {
  'sessions/new': {name: 'sessions.new', method: 'POST'},
  'adapters/websocket/new': {name: 'adapters.new', method: 'POST'},
  'adapters/websocket/close': {name: 'adapters.close', method: 'POST'},
}

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
 * Matches `/v1/apps/{appId}/…`. Returns the route, or the status to answer: 404 for an unknown path,
 * 405 (with the allowed method) for a known path with another method.
 */
export function matchRoute(method: string, pathname: string): Route | {status: 404} | {status: 405; allow: string} {
  const match = /^\/v1\/apps\/([^/]+)\/(.*)$/.exec(pathname)
  if (!match) return {status: 404}
  const appId = decode(match[1] as string)
  if (appId === undefined) return {status: 404}
  const rest = (match[2] as string).replace(/\/+$/, '')
  const app = APP_ROUTES[rest]
  if (app) return app.method === method ? {name: app.name, appId} : {status: 405, allow: app.method}
  const session = /^sessions\/([^/]+)(?:\/(.*))?$/.exec(rest)
  if (!session) return {status: 404}
  const sessionId = decode(session[1] as string)
  const tail = SESSION_ROUTES[session[2] ?? '']
  if (sessionId === undefined || sessionId === 'new' || !tail) return {status: 404}
  return tail.method === method ? {name: tail.name, appId, sessionId} : {status: 405, allow: tail.method}
}
