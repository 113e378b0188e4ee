/**
 * Parsing and validation of setting values, whatever layer they come from. Errors name the exact place
 * the value was given (`--relay-listen`, `R58_RELAY_LISTEN`, `config.yaml:12:3 relay.listen`) and the
 * accepted form. A bad flag is a usage error (exit 2); a bad environment or file value is invalid local
 * configuration (exit 6).
 */
import {R58Error} from '../errors.js'
import {parseDuration} from '../util/duration.js'
import {parseHostPort} from '../util/host-port.js'
import {SETTINGS, type SettingDef, type SettingKey} from './settings.js'

export type Layer = 'flag' | 'env' | 'file' | 'default'

export interface Origin {
  layer: Layer
  /** `--calls-app-id`, `R58_CALLS_APP_ID`, `/home/u/.config/r58/config.yaml:4:3`, `default`. */
  name: string
}

export type RawValue = string | number | boolean | readonly string[]

export type ParsedValue = string | number | boolean | string[]

function fail(key: SettingKey, origin: Origin, expected: string, got: unknown): never {
  const shown = SETTINGS[key] && (SETTINGS[key] as SettingDef).secret ? '<redacted>' : JSON.stringify(got)
  const where = origin.layer === 'file' ? `${origin.name} (${key})` : origin.name
  const flag = origin.layer === 'flag'
  throw new R58Error(flag ? 'E_USAGE' : 'E_CONFIG', `${where}: expected ${expected}, got ${shown}`, {
    field: origin.layer === 'file' ? key : origin.name,
    hint: flag
      ? undefined
      : `Correct ${origin.layer === 'env' ? `or unset ${origin.name}` : `${key} in the config file`}.`,
  })
}

/** A human description of the accepted form of a setting, for errors and help. */
export function expectedForm(def: SettingDef): string {
  switch (def.kind) {
    case 'url':
      return `a URL (${(def.protocols ?? ['http', 'https']).map((p) => `${p}:`).join(' or ')})`
    case 'list':
      return 'a list (comma-separated in flags and environment variables)'
    case 'int':
      return 'an integer'
    case 'duration':
      return 'a duration such as 500ms, 3s, 12h'
    case 'hostport':
      return 'host:port with a port from 1 to 65535 (0 for any free port)'
    case 'boolean':
      return 'true or false'
    default:
      return 'a string'
  }
}

export function parseUrl(text: string, protocols: readonly string[] = ['http', 'https']): URL | undefined {
  try {
    const url = new URL(text)
    return protocols.includes(url.protocol.slice(0, -1)) ? url : undefined
  } catch {
    return undefined
  }
}

function splitList(raw: RawValue): string[] | undefined {
  // An empty value means an empty list (`--stun-urls ""` turns a default off).
  if (Array.isArray(raw)) {
    return raw.every((item) => typeof item === 'string')
      ? raw.map((item) => item.trim()).filter((item) => item.length > 0)
      : undefined
  }
  if (typeof raw !== 'string') return undefined
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

/** Validates and converts a raw value for `key`; throws an R58Error naming `origin` when invalid. */
export function parseSettingValue(key: SettingKey, raw: RawValue, origin: Origin): ParsedValue {
  const def: SettingDef = SETTINGS[key]
  const expected = expectedForm(def)
  const text = typeof raw === 'string' ? raw.trim() : raw
  switch (def.kind) {
    case 'string':
      if (typeof text === 'string' || typeof text === 'number') return String(text)
      return fail(key, origin, expected, raw)
    case 'url': {
      if (typeof text !== 'string') return fail(key, origin, expected, raw)
      const url = parseUrl(text, def.protocols)
      return url ? text.replace(/\/+$/, '') : fail(key, origin, expected, raw)
    }
    case 'list': {
      const list = splitList(raw)
      return list ?? fail(key, origin, expected, raw)
    }
    case 'int': {
      const n = typeof text === 'number' ? text : Number(text)
      return typeof text !== 'boolean' && Number.isInteger(n) ? n : fail(key, origin, expected, raw)
    }
    case 'duration': {
      const ms = typeof text === 'number' ? text : typeof text === 'string' ? parseDuration(text) : undefined
      return ms !== undefined && ms >= 0 ? ms : fail(key, origin, expected, raw)
    }
    case 'hostport':
      return typeof text === 'string' && parseHostPort(text, {allowAnyPort: true})
        ? text
        : fail(key, origin, expected, raw)
    case 'boolean':
      if (typeof text === 'boolean') return text
      if (text === 'true' || text === '1' || text === 'yes') return true
      if (text === 'false' || text === '0' || text === 'no') return false
      return fail(key, origin, expected, raw)
  }
}
