/**
 * The sans-IO TURN request machine, driven with constructed server answers: no sockets.
 */
import {describe, expect, it} from 'vitest'
import {
  type StunClass as Classes,
  longTermKey,
  Message,
  StunClass,
  StunMethod,
  verifyIntegrity,
} from '../../../src/stun/message.js'
import {allocateRequest, createPermissionRequest, refreshRequest} from '../../../src/turn/messages.js'
import {type RequestAction, TurnAuth, TurnRequestMachine} from '../../../src/turn/request-machine.js'

const USER = 'alice'
const PASSWORD = 'secret'
const REALM = 'r58.test'
const KEY = longTermKey(USER, REALM, PASSWORD)

/** What a TURN server would answer to `request`. */
function answer(
  request: Message,
  cls: Classes,
  attributes: [Parameters<Message['setAttribute']>[0], unknown][] = [],
  integrityKey?: Buffer,
): Buffer {
  const message = new Message(request.messageMethod, cls, request.transactionId)
  for (const [name, value] of attributes) message.setAttribute(name, value)
  if (integrityKey) message.addMessageIntegrity(integrityKey)
  return message.addFingerprint().bytes
}

const challenge = (request: Message, nonce = 'nonce-1', code = 401, reason = 'Unauthorized') =>
  answer(request, StunClass.ERROR, [
    ['ERROR-CODE', [code, reason]],
    ['REALM', REALM],
    ['NONCE', Buffer.from(nonce)],
  ])

const allocated = (request: Message, key = KEY) =>
  answer(
    request,
    StunClass.RESPONSE,
    [
      ['XOR-RELAYED-ADDRESS', ['192.0.2.50', 50000]],
      ['XOR-MAPPED-ADDRESS', ['198.51.100.7', 40000]],
      ['LIFETIME', 600],
      ['SOFTWARE', 'fake TURN'],
    ],
    key,
  )

const sent = (action: RequestAction): Message => {
  if (action.type !== 'send') throw new Error(`expected a send, got ${action.type}`)
  return action.request
}

const machine = (auth = new TurnAuth({username: USER, password: PASSWORD}), build = () => allocateRequest()) =>
  new TurnRequestMachine('allocate', auth, build)

describe('TurnRequestMachine: Allocate with long-term credentials', () => {
  it('401 → realm/nonce → authenticated retry → success', () => {
    const m = machine()
    const first = sent(m.start())
    expect(first.getAttributeValue('MESSAGE-INTEGRITY')).toBeUndefined()
    expect(first.getAttributeValue('REQUESTED-TRANSPORT')).toBe(0x11000000)
    const second = sent(m.handle(challenge(first)))
    expect(second.transactionIdHex).not.toBe(first.transactionIdHex)
    expect(second.getAttributeValue('USERNAME')).toBe(USER)
    expect(second.getAttributeValue('REALM')).toBe(REALM)
    expect(second.getAttributeValue('NONCE')).toEqual(Buffer.from('nonce-1'))
    expect(second.getAttributeValue('MESSAGE-INTEGRITY')).toBeDefined()
    const done = m.handle(allocated(second))
    expect(done).toMatchObject({type: 'success', view: {relayed: {address: '192.0.2.50', port: 50000}, lifetime: 600}})
    expect(m.sends).toBe(2)
  })

  it('signs with MD5(user:realm:password): the server can verify it', () => {
    const m = machine()
    const second = sent(m.handle(challenge(sent(m.start()))))
    expect(verifyIntegrity(second.bytes, KEY)).toBe(true)
    expect(verifyIntegrity(second.bytes, longTermKey(USER, REALM, 'other'))).toBe(false)
  })

  it('a second 401 means the credentials are rejected (no endless retry)', () => {
    const m = machine()
    const second = sent(m.handle(challenge(sent(m.start()))))
    const done = m.handle(challenge(second, 'nonce-2'))
    expect(done).toMatchObject({type: 'failure', outcome: 'auth-rejected', error: {code: 401}})
    expect(m.sends).toBe(2)
  })

  it.each([
    [441, 'Wrong Credentials', 'auth-rejected'],
    [403, 'Forbidden', 'forbidden'],
    [486, 'Allocation Quota Reached', 'quota'],
    [508, 'Insufficient Capacity', 'capacity'],
    [437, 'Allocation Mismatch', 'error'],
    [500, 'Server Error', 'error'],
  ])('%i %s after authentication → %s, quoting the reason', (code, reason, outcome) => {
    const m = machine()
    const second = sent(m.handle(challenge(sent(m.start()))))
    const done = m.handle(answer(second, StunClass.ERROR, [['ERROR-CODE', [code, reason]]]))
    expect(done).toMatchObject({type: 'failure', outcome, error: {code, reason}})
    if (done.type === 'failure') expect(done.message).toContain(`${code} ${reason}`)
  })

  it('438 stale nonce: retried with the new nonce', () => {
    const m = machine()
    const second = sent(m.handle(challenge(sent(m.start()))))
    const third = sent(m.handle(challenge(second, 'nonce-fresh', 438, 'Stale Nonce')))
    expect(third.getAttributeValue('NONCE')).toEqual(Buffer.from('nonce-fresh'))
    expect(m.handle(allocated(third))).toMatchObject({type: 'success'})
  })

  it('438 stale nonce: gives up after two retries', () => {
    const m = machine()
    let request = sent(m.handle(challenge(sent(m.start()))))
    request = sent(m.handle(challenge(request, 'n2', 438, 'Stale Nonce')))
    request = sent(m.handle(challenge(request, 'n3', 438, 'Stale Nonce')))
    expect(m.handle(challenge(request, 'n4', 438, 'Stale Nonce'))).toMatchObject({type: 'failure', error: {code: 438}})
  })

  it('a challenge without REALM or NONCE is a protocol error', () => {
    const m = machine()
    const first = sent(m.start())
    const done = m.handle(answer(first, StunClass.ERROR, [['ERROR-CODE', [401, 'Unauthorized']]]))
    expect(done).toMatchObject({type: 'failure', outcome: 'error'})
  })

  it('a success answer signed with another key is refused', () => {
    const m = machine()
    const second = sent(m.handle(challenge(sent(m.start()))))
    const done = m.handle(allocated(second, longTermKey(USER, REALM, 'not-the-password')))
    expect(done).toMatchObject({type: 'failure', outcome: 'error'})
    if (done.type === 'failure') expect(done.message).toContain('MESSAGE-INTEGRITY')
  })

  it.each([
    ['another transaction', (_request: Message) => allocated(allocateRequest())],
    ['a request', (request: Message) => answer(request, StunClass.REQUEST)],
    ['not STUN', (_request: Message) => Buffer.from('hello')],
  ])('ignores %s', (_name, make) => {
    const m = machine()
    const first = sent(m.start())
    expect(m.handle(make(first))).toEqual({type: 'ignore'})
  })
})

describe('TurnRequestMachine: requests after the Allocate', () => {
  const ready = () => {
    const auth = new TurnAuth({username: USER, password: PASSWORD}, 'r58')
    auth.learn({realm: REALM, nonce: Buffer.from('nonce-1')} as Parameters<TurnAuth['learn']>[0])
    return auth
  }

  it('CreatePermission goes out authenticated at once, with the peer', () => {
    const m = new TurnRequestMachine('permission', ready(), () =>
      createPermissionRequest({address: '203.0.113.9', port: 4000}),
    )
    const request = sent(m.start())
    expect(request.messageMethod).toBe(StunMethod.CREATE_PERMISSION)
    expect(request.getAttributeValue('XOR-PEER-ADDRESS')).toEqual(['203.0.113.9', 4000])
    expect(request.getAttributeValue('MESSAGE-INTEGRITY')).toBeDefined()
    expect(request.getAttributeValue('SOFTWARE')).toBe('r58')
  })

  it('a 401 to an authenticated request is a rejection, not a new challenge', () => {
    const m = new TurnRequestMachine('permission', ready(), () =>
      createPermissionRequest({address: '203.0.113.9', port: 4000}),
    )
    expect(m.handle(challenge(sent(m.start())))).toMatchObject({type: 'failure', outcome: 'auth-rejected'})
  })

  it('403 to CreatePermission says the peer was refused', () => {
    const m = new TurnRequestMachine('permission', ready(), () =>
      createPermissionRequest({address: '127.0.0.1', port: 4000}),
    )
    const done = m.handle(answer(sent(m.start()), StunClass.ERROR, [['ERROR-CODE', [403, 'Forbidden']]]))
    expect(done).toMatchObject({type: 'failure', outcome: 'forbidden'})
  })

  it('Refresh lifetime 0 frees the allocation', () => {
    const m = new TurnRequestMachine('refresh', ready(), () => refreshRequest(0))
    const request = sent(m.start())
    expect(request.getAttributeValue('LIFETIME')).toBe(0)
    expect(m.handle(answer(request, StunClass.RESPONSE, [['LIFETIME', 0]], KEY))).toMatchObject({
      type: 'success',
      view: {lifetime: 0},
    })
  })
})
