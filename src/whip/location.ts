/**
 * The WHIP session URL. RFC 9725 says the `Location` of the 201 is resolved against the URL that answered;
 * MediaMTX has used every form over the years: none at all (v0.23.0: PATCH the endpoint itself), the endpoint
 * URL (v0.23.3–v1.2.0), `/<path>/whip/<secret>` (v1.2.1), the relative `whip/<secret>` (v1.3–v1.6),
 * `/<path>/whip/<secret>` (v1.7+) and the same plus the request's query (v1.10+).
 */

export interface ResolvedLocation {
  /** The absolute URL to PATCH and DELETE. */
  url: string
  /** How it was obtained, for the report. */
  form: 'absolute' | 'absolute-path' | 'relative' | 'missing'
}

export function resolveLocation(location: string | undefined | null, answeredUrl: string): ResolvedLocation {
  if (location === undefined || location === null || location.trim() === '') {
    return {url: answeredUrl, form: 'missing'}
  }
  const value = location.trim()
  const form = /^[a-z][a-z0-9+.-]*:/i.test(value) ? 'absolute' : value.startsWith('/') ? 'absolute-path' : 'relative'
  return {url: new URL(value, answeredUrl).toString(), form}
}
