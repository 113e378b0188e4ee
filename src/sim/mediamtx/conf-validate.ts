/**
 * Validation of configuration bodies sent to the stand-in's control API, as MediaMTX does it: the body is
 * decoded into a Go struct with a strict decoder, so anything but a JSON object, an unknown field, or a value
 * of the wrong JSON type is refused (400) before anything is applied. The messages follow Go's
 * encoding/json ("json: unknown field", "json: cannot unmarshal … into Go struct field …").
 */
import {isKeyAccepted} from '../../mediamtx/key-rules.js'
import {atLeast, type Version} from '../../mediamtx/version.js'
import {type ConfType, GLOBAL_CONF_TYPES, PATH_CONF_TYPES} from './conf-types.js'

const GO_TYPES: Readonly<Record<ConfType, string>> = {
  boolean: 'bool',
  integer: 'int',
  number: 'float64',
  string: 'string',
  'string[]': '[]string',
  'integer[]': '[]int',
  'object[]': '[]struct',
  object: 'map[string]interface {}',
}

/** The JSON kind Go names in its errors. */
function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return 'number'
  if (typeof value === 'string') return 'string'
  return 'object'
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function matches(type: ConfType, value: unknown): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean'
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'number':
      return typeof value === 'number'
    case 'string':
      return typeof value === 'string'
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
    case 'integer[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isInteger(item))
    case 'object[]':
      return Array.isArray(value) && value.every(isObject)
    case 'object':
      return isObject(value)
  }
}

/** The value that does not fit: the value itself, or the first bad item of a list. */
function offending(type: ConfType, value: unknown): unknown {
  if (!Array.isArray(value) || !type.endsWith('[]')) return value
  const item = type.slice(0, -2) as ConfType
  return value.find((v) => !matches(item, v)) ?? value
}

export interface ConfSchema {
  /** `conf.OptionalGlobal`, `conf.OptionalPath`: named in the errors, like Go does. */
  goType: string
  /** Is the field known (for this version)? */
  accepts(key: string): boolean
  /** The field's JSON type, when known. */
  typeOf(key: string): ConfType | undefined
}

/** Why MediaMTX would refuse this body (the message of its 400 answer), or undefined when it is valid. */
export function confBodyProblem(body: unknown, schema: ConfSchema): string | undefined {
  if (!isObject(body)) return `json: cannot unmarshal ${jsonKind(body)} into Go value of type ${schema.goType}`
  for (const [key, value] of Object.entries(body)) {
    if (!schema.accepts(key)) return `json: unknown field "${key}"`
    const type = schema.typeOf(key)
    // null leaves a field as it is in Go's decoder.
    if (value === null || type === undefined || matches(type, value)) continue
    const bad = offending(type, value)
    const goType = bad === value ? GO_TYPES[type] : GO_TYPES[type.slice(0, -2) as ConfType]
    const field = `${schema.goType.replace(/^conf\./, '')}.${key}`
    return `json: cannot unmarshal ${jsonKind(bad)} into Go struct field ${field} of type ${goType}`
  }
  return undefined
}

/** The body without null fields (they change nothing). */
export function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null))
}

/** MediaMTX's rule for path names: not empty, no leading or trailing slash, a limited alphabet (`~` for regexps). */
export function pathNameProblem(name: string): string | undefined {
  if (name === '') return 'invalid path name: cannot be empty'
  if (name.startsWith('/') || name.endsWith('/')) return `invalid path name: ${name}: cannot begin or end with a slash`
  if (name.startsWith('~')) return undefined
  return /^[0-9A-Za-z_\-/.~:]+$/.test(name)
    ? undefined
    : `invalid path name: ${name}: can contain only alphanumeric characters, underscore, dot, tilde, minus, slash or colon`
}

const hasOwn = (table: Readonly<Record<string, unknown>>, key: string) => Object.hasOwn(table, key)

/** Path configurations: the fields of PathConf (any version). */
export const PATH_CONF_SCHEMA: ConfSchema = {
  goType: 'conf.OptionalPath',
  accepts: (key) => hasOwn(PATH_CONF_TYPES, key),
  typeOf: (key) => (hasOwn(PATH_CONF_TYPES, key) ? PATH_CONF_TYPES[key] : undefined),
}

/** The global configuration: the keys `version` accepts, typed as in GlobalConf. */
export function globalConfSchema(version: Version): ConfSchema {
  return {
    goType: 'conf.OptionalGlobal',
    accepts: (key) => key !== 'paths' && key !== 'pathDefaults' && isKeyAccepted(key, version),
    typeOf: (key) => (hasOwn(GLOBAL_CONF_TYPES, key) ? GLOBAL_CONF_TYPES[key] : undefined),
  }
}

/** Path keys newer than the v3 API itself (docs/whep-mode.md): refused as unknown by older versions. */
const PATH_KEY_SINCE: Record<string, string> = {
  whepBearerToken: 'v1.16.2',
  whepSTUNGatherTimeout: 'v1.16.2',
  whepHandshakeTimeout: 'v1.16.2',
  whepTrackGatherTimeout: 'v1.16.2',
}

const SOURCE = /^(publisher|redirect|rpiCamera|(rtsps?|rtmps?|hls|udp|srt|whep|wheps|http|https):\/\/.+)$/

/** What MediaMTX refuses in a path configuration beyond JSON types: keys of later versions, unknown sources. */
export function pathConfProblem(conf: Record<string, unknown>, version: Version): string | undefined {
  for (const key of Object.keys(conf)) {
    const since = PATH_KEY_SINCE[key]
    if (since !== undefined && !atLeast(version, since)) return `json: unknown field "${key}"`
  }
  const source = conf['source']
  if (source !== undefined && (typeof source !== 'string' || !SOURCE.test(source))) {
    return `invalid source: '${String(source)}'`
  }
  return undefined
}
