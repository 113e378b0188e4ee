/**
 * Strict decoding of request bodies against the schemas of the OpenAPI file: exact field names (a
 * misspelled `trackname` is a `decoding_error`, as on Calls), JSON types and enums. Semantic rules (which
 * fields a mode needs, limits) are checked by the handlers and answer `invalid_params`.
 */

import type {
  CloseTracksRequest,
  DataChannelsRequest,
  EstablishDataChannelsRequest,
  NewSessionRequest,
  RenegotiateRequest,
  TracksRequest,
  UpdateTracksRequest,
} from '../../calls/calls-types.js'
import {closest} from '../../util/closest.js'
import {decodingError} from './api-error.js'

export type Schema =
  | {type: 'string'; enum?: readonly string[]; minLength?: number}
  | {type: 'boolean'}
  | {type: 'number'; integer?: boolean; minimum?: number}
  | {type: 'array'; items: Schema}
  | {type: 'object'; properties: Record<string, Schema>; required?: readonly string[]}

const string = (extra: {enum?: readonly string[]; minLength?: number} = {}): Schema => ({type: 'string', ...extra})
const boolean: Schema = {type: 'boolean'}
const array = (items: Schema): Schema => ({type: 'array', items})
const object = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
})

const sessionDescription = object({sdp: string(), type: string({enum: ['offer', 'answer']})}, ['sdp', 'type'])
const ordering = string({enum: ['none', 'asciibetical']})
const trackObject = object({
  location: string({enum: ['local', 'remote']}),
  mid: string(),
  sessionId: string(),
  trackName: string(),
  bidirectionalMediaStream: boolean,
  kind: string(),
  simulcast: object({
    preferredRid: string(),
    priorityOrdering: ordering,
    ridNotAvailable: ordering,
    // A draft of the API's name for ridNotAvailable (docs/calls-api.md "Simulcast").
    ridUnavailableStrategy: string({enum: ['none', 'asciibetical', 'nextPriority']}),
  }),
})
const dataChannelObject = object({
  location: string({enum: ['local', 'remote']}),
  sessionId: string(),
  dataChannelName: string(),
  ordered: boolean,
  maxRetransmits: {type: 'number', integer: true, minimum: 0},
  maxPacketLifeTime: {type: 'number', integer: true, minimum: 0},
  waitForAck: boolean,
  canReply: boolean,
  id: {type: 'number', integer: true, minimum: 0},
})

export const SCHEMAS = {
  NewSessionRequest: object({sessionDescription}),
  TracksRequest: object({sessionDescription, tracks: array(trackObject), autoDiscover: boolean}),
  RenegotiateRequest: object({sessionDescription}, ['sessionDescription']),
  UpdateTracksRequest: object({tracks: array(trackObject), sessionDescription}, ['tracks']),
  CloseTracksRequest: object(
    {sessionDescription, tracks: array(object({mid: string({minLength: 1})}, ['mid'])), force: boolean},
    ['tracks', 'force'],
  ),
  DataChannelsRequest: object({dataChannels: array(dataChannelObject)}, ['dataChannels']),
  EstablishDataChannelsRequest: object({sessionDescription, dataChannel: dataChannelObject}, ['dataChannel']),
  NewAdapterRequest: object(
    {
      tracks: array(
        object({
          location: string({enum: ['local', 'remote']}),
          sessionId: string(),
          trackName: string(),
          endpoint: string(),
          outputCodec: string({enum: ['pcm', 'jpeg']}),
          inputCodec: string({enum: ['pcm']}),
          mode: string({enum: ['stream', 'buffer']}),
          adapterId: string(),
        }),
      ),
    },
    ['tracks'],
  ),
  CloseAdapterRequest: object({tracks: array(object({adapterId: string()}, ['adapterId']))}, ['tracks']),
} as const satisfies Record<string, Schema>

export interface SchemaTypes {
  NewSessionRequest: NewSessionRequest
  TracksRequest: TracksRequest
  RenegotiateRequest: RenegotiateRequest
  UpdateTracksRequest: UpdateTracksRequest
  CloseTracksRequest: CloseTracksRequest
  DataChannelsRequest: DataChannelsRequest
  EstablishDataChannelsRequest: EstablishDataChannelsRequest
  NewAdapterRequest: {tracks: Record<string, string | undefined>[]}
  CloseAdapterRequest: {tracks: {adapterId: string}[]}
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** Throws a `decoding_error` naming the path of the first mismatch. */
export function check(value: unknown, schema: Schema, path: string): void {
  const where = path || 'body'
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') throw decodingError(`${where}: expected a string, got ${typeName(value)}`)
      if (schema.enum && !schema.enum.includes(value)) {
        throw decodingError(`${where}: ${JSON.stringify(value.slice(0, 40))} is not one of ${schema.enum.join(', ')}`)
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        throw decodingError(`${where}: must not be empty`)
      }
      return
    case 'boolean':
      if (typeof value !== 'boolean') throw decodingError(`${where}: expected a boolean, got ${typeName(value)}`)
      return
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw decodingError(`${where}: expected a number, got ${typeName(value)}`)
      }
      if (schema.integer && !Number.isInteger(value)) throw decodingError(`${where}: expected an integer`)
      if (schema.minimum !== undefined && value < schema.minimum) {
        throw decodingError(`${where}: must be at least ${schema.minimum}`)
      }
      return
    case 'array':
      if (!Array.isArray(value)) throw decodingError(`${where}: expected an array, got ${typeName(value)}`)
      value.forEach((item, i) => {
        check(item, schema.items, `${path}[${i}]`)
      })
      return
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw decodingError(`${where}: expected an object, got ${typeName(value)}`)
      }
      const known = Object.keys(schema.properties)
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(schema.properties, key)) {
          const guess = closest(key, known)
          throw decodingError(
            `${path ? `${path}.` : ''}${JSON.stringify(key.slice(0, 40))} is not a field${guess ? ` (did you mean "${guess}"?)` : ''}`,
          )
        }
      }
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(value, key)) throw decodingError(`${path ? `${path}.` : ''}${key} is required`)
      }
      for (const [key, item] of Object.entries(value)) {
        check(item, schema.properties[key] as Schema, path ? `${path}.${key}` : key)
      }
      return
    }
  }
}

/**
 * Parses and checks a request body. An empty body is `{}` where the schema has no required fields
 * (sessions/new), and a `decoding_error` otherwise.
 */
export function decodeBody<K extends keyof typeof SCHEMAS>(name: K, text: string): SchemaTypes[K] {
  const schema = SCHEMAS[name] as Schema & {required?: readonly string[]}
  let value: unknown
  if (text.trim().length === 0) {
    value = {}
  } else {
    try {
      value = JSON.parse(text)
    } catch {
      throw decodingError('the body is not valid JSON')
    }
  }
  check(value, schema, '')
  return value as SchemaTypes[K]
}
