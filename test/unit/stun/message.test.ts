import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  bindingRequest,
  decodeStun,
  longTermKey,
  looksLikeStun,
  Message,
  StunClass,
  StunMethod,
  verifyIntegrity,
  viewOf,
} from '../../../src/stun/message.js'

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/stun/coturn-4.6.1.json'), 'utf8'),
) as {
  username: string
  password: string
  realm: string
  messages: Record<string, string>
}
const recorded = (name: string) => Buffer.from(fixture.messages[name] as string, 'hex')
const key = longTermKey(fixture.username, fixture.realm, fixture.password)

describe('recorded coturn 4.6.1 messages', () => {
  it.each([
    ['bindingSuccess', {method: StunMethod.BINDING, class: 'success', software: "Coturn-4.6.1 'Gorst'"}],
    [
      'allocate401',
      {method: StunMethod.ALLOCATE, class: 'error', error: {code: 401, reason: 'Unauthorized'}, realm: 'r58.lab'},
    ],
    ['allocate401WrongPassword', {class: 'error', error: {code: 401, reason: 'Unauthorized'}}],
    // A nonce from another 5-tuple: coturn answers 438 (its reason phrase ends in a NUL, which is dropped).
    ['allocate438WrongNonce', {class: 'error', error: {code: 438, reason: 'Wrong nonce'}}],
    ['allocateSuccess', {method: StunMethod.ALLOCATE, class: 'success', lifetime: 600, hasIntegrity: true}],
    ['refreshZeroSuccess', {method: StunMethod.REFRESH, class: 'success', lifetime: 0}],
    ['allocateRequestUnauthenticated', {method: StunMethod.ALLOCATE, class: 'request', hasIntegrity: false}],
  ])('%s decodes', (name, want) => {
    const message = decodeStun(recorded(name))
    expect(message).toBeDefined()
    expect(viewOf(message as Message)).toMatchObject(want)
  })

  it('reads the mapped and response-origin addresses of a Binding answer', () => {
    const view = viewOf(decodeStun(recorded('bindingSuccess')) as Message)
    expect(view.mapped).toEqual({address: '127.0.0.1', port: expect.any(Number)})
    expect(view.responseOrigin?.address).toBe('127.0.0.1')
  })

  it('reads the relayed and mapped addresses of an Allocate answer', () => {
    const view = viewOf(decodeStun(recorded('allocateSuccess')) as Message)
    expect(view.relayed?.address).toBe('127.0.0.1')
    expect(view.mapped?.address).toBe('127.0.0.1')
  })

  it('a 401 challenge carries a nonce and no integrity', () => {
    const view = viewOf(decodeStun(recorded('allocate401')) as Message)
    expect(view.nonce?.length).toBeGreaterThan(0)
    expect(view.hasIntegrity).toBe(false)
  })

  it.each([
    ['allocateSuccess', key, true],
    ['allocateSuccess', longTermKey(fixture.username, fixture.realm, 'wrong'), false],
    ['allocateRequestAuthenticated', key, true],
    ['refreshZeroSuccess', key, true],
  ])('MESSAGE-INTEGRITY of %s with the %#th key: %s', (name, k, want) => {
    expect(verifyIntegrity(recorded(name), k)).toBe(want)
  })
})

describe('decodeStun', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['too short', Buffer.from('000100002112a442', 'hex')],
    ['no magic cookie', Buffer.concat([Buffer.from('00010000deadbeef', 'hex'), Buffer.alloc(12)])],
    ['ChannelData', Buffer.from('4000000400000000', 'hex')],
    ['an echo payload', Buffer.from('r58-echo 1234 0 ....................')],
  ])('rejects %s', (_name, bytes) => {
    expect(decodeStun(bytes)).toBeUndefined()
  })

  it('rejects a message whose FINGERPRINT no longer matches', () => {
    const bytes = Buffer.from(bindingRequest().bytes)
    bytes[10] = (bytes[10] ?? 0) ^ 0xff // flip a transaction id byte
    expect(looksLikeStun(bytes)).toBe(true)
    expect(decodeStun(bytes)).toBeUndefined()
  })

  it('round-trips attributes r58 reads', () => {
    const sent = new Message(StunMethod.ALLOCATE, StunClass.RESPONSE)
      .setAttribute('XOR-RELAYED-ADDRESS', ['192.0.2.7', 50000])
      .setAttribute('XOR-MAPPED-ADDRESS', ['198.51.100.1', 40000])
      .setAttribute('OTHER-ADDRESS', ['192.0.2.8', 3479])
      .setAttribute('LIFETIME', 600)
      .setAttribute('SOFTWARE', 'test server')
    const view = viewOf(decodeStun(sent.bytes) as Message)
    expect(view).toMatchObject({
      class: 'success',
      relayed: {address: '192.0.2.7', port: 50000},
      mapped: {address: '198.51.100.1', port: 40000},
      otherAddress: {address: '192.0.2.8', port: 3479},
      lifetime: 600,
      software: 'test server',
    })
  })
})
