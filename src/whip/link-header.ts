/**
 * ICE servers from WHIP `Link` headers (RFC 9725 §4.6):
 * `<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"`.
 * Several links may share one header line (comma-separated) or come as repeated headers; other relations are ignored.
 */
import type {IceServer} from '../ice/ice-url.js'

export interface LinkIceServers {
  servers: IceServer[]
  /** Links with rel="ice-server" that could not be used, with the reason. */
  ignored: string[]
}

/** Splits on commas outside `<…>` and quotes. */
function splitLinks(value: string): string[] {
  const out: string[] = []
  let current = ''
  let inAngle = false
  let inQuote = false
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string
    if (inQuote) {
      current += ch
      if (ch === '\\' && i + 1 < value.length) current += value[++i]
      else if (ch === '"') inQuote = false
      continue
    }
    if (ch === '"') inQuote = true
    else if (ch === '<') inAngle = true
    else if (ch === '>') inAngle = false
    else if (ch === ',' && !inAngle) {
      out.push(current)
      current = ''
      continue
    }
    current += ch
  }
  out.push(current)
  return out.map((link) => link.trim()).filter((link) => link.length > 0)
}

/** `; key="quoted \" value"; key2=token` → {key, key2}. Keys are lower-cased. */
function parseParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>()
  let rest = text.trim()
  while (rest.length > 0) {
    const match = /^;\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*(?:=\s*)?/.exec(rest)
    if (!match) return undefined
    const key = (match[1] as string).toLowerCase()
    rest = rest.slice(match[0].length)
    let value = ''
    if (rest.startsWith('"')) {
      let i = 1
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\') i++
        value += rest[i] ?? ''
      }
      if (i >= rest.length) return undefined
      rest = rest.slice(i + 1).trimStart()
    } else {
      const token = /^[^;\s]*/.exec(rest)?.[0] ?? ''
      value = token
      rest = rest.slice(token.length).trimStart()
    }
    if (!params.has(key)) params.set(key, value)
  }
  return params
}

/** Parses every `Link` header value into ICE servers; a server without credentials has none. */
export function parseLinkHeaders(values: readonly string[]): LinkIceServers {
  const servers: IceServer[] = []
  const ignored: string[] = []
  for (const link of values.flatMap(splitLinks)) {
    const match = /^<([^>]*)>(.*)$/.exec(link)
    if (!match) {
      if (/ice-server/i.test(link)) ignored.push(`${link} (no <URL>)`)
      continue
    }
    const params = parseParams(match[2] ?? '')
    if (!params) {
      ignored.push(`${link} (malformed parameters)`)
      continue
    }
    const rel = (params.get('rel') ?? '').toLowerCase().split(/\s+/)
    if (!rel.includes('ice-server')) continue
    const url = (match[1] ?? '').trim()
    if (!/^(stuns?|turns?):/i.test(url)) {
      ignored.push(`${url} (not a stun:, turn: or turns: URL)`)
      continue
    }
    const server: IceServer = {urls: url}
    const username = params.get('username')
    const credential = params.get('credential')
    if (username !== undefined && username !== '') server.username = username
    if (credential !== undefined && credential !== '') server.credential = credential
    servers.push(server)
  }
  return {servers, ignored}
}

/** Formats ICE servers as `Link` header values, MediaMTX style (one header value per server). */
export function formatLinkHeaders(servers: readonly IceServer[]): string[] {
  const quote = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  return servers.flatMap((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).map((url) => {
      let link = `<${url}>; rel="ice-server"`
      if (server.username) {
        link += `; username="${quote(server.username)}"; credential="${quote(server.credential ?? '')}"; credential-type="password"`
      }
      return link
    }),
  )
}
