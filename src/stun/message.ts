/**
 * STUN/TURN messages (RFC 8489, RFC 8656) through werift's message layer: werift encodes and decodes,
 * computes MESSAGE-INTEGRITY and FINGERPRINT; this module only gives r58 a typed view of the attributes it
 * reads and small builders for the requests it sends.
 */
import {classes, Message, makeIntegrityKey, methods, parseMessage} from 'werift'
import type {Endpoint} from '../net/endpoint.js'

export {classes as StunClass, methods as StunMethod}

/** REQUESTED-TRANSPORT value for UDP (protocol 17 in the top byte). WebRTC relays are always UDP. */
export const REQUESTED_TRANSPORT_UDP = 0x11000000

export interface StunErrorCode {
  code: number
  reason: string
}

export type StunClassName = 'request' | 'indication' | 'success' | 'error'

/** The attributes r58 reads, decoded. */
export interface StunView {
  method: number
  class: StunClassName
  transactionId: string
  /** XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from servers that only send the old form. */
  mapped?: Endpoint
  otherAddress?: Endpoint
  responseOrigin?: Endpoint
  relayed?: Endpoint
  peer?: Endpoint
  alternateServer?: Endpoint
  software?: string
  lifetime?: number
  error?: StunErrorCode
  realm?: string
  nonce?: Buffer
  data?: Buffer
  hasIntegrity: boolean
}

const CLASS_NAMES: Record<number, StunClassName> = {
  [classes.REQUEST]: 'request',
  [classes.INDICATION]: 'indication',
  [classes.RESPONSE]: 'success',
  [classes.ERROR]: 'error',
}

/** STUN messages start with two zero bits and carry the magic cookie at offset 4. */
export function looksLikeStun(bytes: Buffer): boolean {
  return bytes.length >= 20 && (bytes[0] ?? 0xff) < 0x40 && bytes.readUInt32BE(4) === 0x2112a442
}

/** Decodes one message; undefined when it is not STUN or is malformed (bad FINGERPRINT included). */
export function decodeStun(bytes: Buffer): Message | undefined {
  if (!looksLikeStun(bytes)) return undefined
  return parseMessage(bytes)
}

/** True when the message carries a MESSAGE-INTEGRITY made with `key`. */
export function verifyIntegrity(bytes: Buffer, key: Buffer): boolean {
  return parseMessage(bytes, key) !== undefined
}

function endpointOf(value: unknown): Endpoint | undefined {
  if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'number') return undefined
  return {address: value[0], port: value[1]}
}

function optional<K extends string, V>(key: K, value: V | undefined): {[P in K]?: V} {
  return (value === undefined ? {} : {[key]: value}) as {[P in K]?: V}
}

export function viewOf(message: Message): StunView {
  const get = (key: Parameters<Message['getAttributeValue']>[0]): unknown => message.getAttributeValue(key)
  const error = get('ERROR-CODE') as [number, string] | undefined
  const realm = get('REALM')
  const nonce = get('NONCE')
  const software = get('SOFTWARE')
  const lifetime = get('LIFETIME')
  const data = get('DATA')
  return {
    method: message.messageMethod,
    class: CLASS_NAMES[message.messageClass] ?? 'request',
    transactionId: message.transactionIdHex,
    ...optional('mapped', endpointOf(get('XOR-MAPPED-ADDRESS')) ?? endpointOf(get('MAPPED-ADDRESS'))),
    ...optional('otherAddress', endpointOf(get('OTHER-ADDRESS'))),
    ...optional('responseOrigin', endpointOf(get('RESPONSE-ORIGIN'))),
    ...optional('relayed', endpointOf(get('XOR-RELAYED-ADDRESS'))),
    ...optional('peer', endpointOf(get('XOR-PEER-ADDRESS'))),
    ...optional('alternateServer', endpointOf(get('ALTERNATE-SERVER'))),
    ...optional('software', typeof software === 'string' ? software : undefined),
    ...optional('lifetime', typeof lifetime === 'number' ? lifetime : undefined),
    ...optional('error', error ? {code: error[0], reason: error[1].replace(/[\s\0]+$/, '').trim()} : undefined),
    ...optional('realm', typeof realm === 'string' ? realm : undefined),
    ...optional('nonce', Buffer.isBuffer(nonce) ? nonce : undefined),
    ...optional('data', Buffer.isBuffer(data) ? data : undefined),
    hasIntegrity: get('MESSAGE-INTEGRITY') !== undefined,
  }
}

/** A Binding request (with FINGERPRINT, as browsers send it). */
export function bindingRequest(): Message {
  return new Message(methods.BINDING, classes.REQUEST).addFingerprint()
}

/** The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return makeIntegrityKey(username, realm, password)
}

export {Message}
