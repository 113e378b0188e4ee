/**
 * The probe matrix: which server and transport each URL names, validated before any packet is sent, and a
 * stable check-id suffix for each (`udp`, or `udp-443` when two URLs share a transport).
 */
import {R58Error} from '../errors.js'
import {formatIceUrl, type IceScheme, type IceTransport, type IceUrl, parseIceUrl} from './ice-url.js'

export interface UrlTarget extends IceUrl {
  /** Check-id suffix: the transport, made unique with the port (and a counter) when needed. */
  suffix: string
}

/** Parses every URL (E_USAGE naming the first bad one), drops duplicates, and names the check of each. */
export function planUrlTargets(
  urls: readonly string[],
  options: {schemes: readonly IceScheme[]; field?: string; hint?: string},
): UrlTarget[] {
  const field = options.field ?? 'URL'
  const seen = new Set<string>()
  const parsed: IceUrl[] = []
  for (const url of urls) {
    const ice = parseIceUrl(url, field)
    if (!options.schemes.includes(ice.scheme)) {
      throw new R58Error(
        'E_USAGE',
        `${field}: ${JSON.stringify(url)} is a ${ice.scheme}: URL; expected ${options.schemes.map((s) => `${s}:`).join(' or ')}`,
        {field, ...(options.hint !== undefined && {hint: options.hint})},
      )
    }
    const key = `${formatIceUrl(ice)}#${ice.transport}`
    if (seen.has(key)) continue
    seen.add(key)
    parsed.push(ice)
  }
  return withSuffixes(parsed)
}

/** Adds the check-id suffixes to already-parsed targets (also used when a target is added, as with --tcp). */
export function withSuffixes<T extends {transport: IceTransport; port: number}>(
  targets: readonly T[],
): (T & {suffix: string})[] {
  const count = (key: (t: T) => string, value: string) => targets.filter((t) => key(t) === value).length
  const byTransport = (t: T) => t.transport
  const byPort = (t: T) => `${t.transport}-${t.port}`
  const used = new Map<string, number>()
  return targets.map((target) => {
    let suffix = count(byTransport, target.transport) === 1 ? target.transport : byPort(target)
    if (count(byTransport, target.transport) > 1 && count(byPort, suffix) > 1) {
      const n = (used.get(suffix) ?? 0) + 1
      used.set(suffix, n)
      suffix = `${suffix}-${n}`
    }
    return {...target, suffix}
  })
}
