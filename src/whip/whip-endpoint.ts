/** WHIP endpoint URLs: the MediaMTX base-URL shortcut and the MediaMTX path name of an endpoint. */
import {R58Error} from '../errors.js'

/**
 * The endpoint to POST to. A URL with a path is used as given (any WHIP server); a bare server URL
 * (`http://box:8889` or `http://box:8889/`) is taken as a MediaMTX base and becomes `<base>/<path>/whip`.
 */
export function whipEndpointUrl(url: string, path: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new R58Error('E_USAGE', `URL: ${JSON.stringify(url)} is not a URL`, {
      field: 'URL',
      hint: 'Give the WHIP endpoint, e.g. http://box:8889/cam/whip, or the MediaMTX base URL with --path.',
    })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new R58Error('E_USAGE', `URL: ${JSON.stringify(url)} is not an http(s) URL`, {field: 'URL'})
  }
  if (parsed.pathname === '/' || parsed.pathname === '') {
    const clean = path.replace(/^\/+|\/+$/g, '')
    parsed.pathname = `/${clean}/whip`
  }
  return parsed.toString()
}

/** `http://box:8889/live/cam/whip?x=1` → `live/cam`; undefined when the URL is not of MediaMTX's form. */
export function mediamtxPathOf(endpoint: string): string | undefined {
  const match = /^\/(.+?)\/whip$/.exec(new URL(endpoint).pathname)
  return match ? decodeURIComponent(match[1] as string) : undefined
}
