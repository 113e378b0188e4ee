/**
 * Route tables for the servers r58 runs: each route is a set of methods and a path pattern, and the first route
 * whose pattern matches owns the path (a method it does not take is the server's 405, with `allow`).
 *
 * Hand-written rather than a router library: r58's paths carry MediaMTX path names, which hold slashes in the
 * middle of a route (`/whip/<a/b>/session/<id>`), and each server answers an unknown path or method in its own
 * protocol's words; a regular expression per route says both in one line.
 */

export interface RoutePattern {
  methods: readonly string[]
  /** Matched against the pathname as sent (not percent-decoded); captures go to the handler. */
  pattern: RegExp
}

export interface RouteFound<R extends RoutePattern> {
  route: R
  match: RegExpExecArray
  /** Whether the route takes this method. */
  allowed: boolean
  /** The route's methods, for an `allow` header. */
  allow: string
}

/** The first route whose pattern matches `pathname`, or undefined (the server's 404). */
export function findRoute<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteFound<R> | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(pathname)
    if (match) return {route, match, allowed: route.methods.includes(method), allow: route.methods.join(', ')}
  }
  return undefined
}
