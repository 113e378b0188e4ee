import {describe, expect, it} from 'vitest'
import {failureKindOfOutcome} from '../../../src/stun/outcome.js'
import {explainTurnError, outcomeOfTurnError, quoteError} from '../../../src/turn/error-codes.js'

describe('TURN error codes', () => {
  it.each([
    [401, 'Unauthorized', 'auth-rejected', 'auth', /credentials rejected \(401 Unauthorized\)/],
    [441, 'Wrong Credentials', 'auth-rejected', 'auth', /credentials rejected \(441 Wrong Credentials\)/],
    [403, 'Forbidden', 'forbidden', 'failed', /Allocate forbidden \(403 Forbidden\)/],
    [486, 'Allocation Quota Reached', 'quota', 'failed', /allocation quota reached \(486 Allocation Quota Reached\)/],
    [508, 'Insufficient Capacity', 'capacity', 'failed', /server out of capacity \(508 Insufficient Capacity\)/],
    [437, 'Allocation Mismatch', 'error', 'failed', /allocation mismatch \(437 Allocation Mismatch\)/],
    [420, 'Unknown Attribute', 'error', 'failed', /does not understand .* \(420 Unknown Attribute\)/],
    [438, 'Stale Nonce', 'error', 'failed', /stale after retries \(438 Stale Nonce\)/],
    [500, 'Server Error', 'error', 'failed', /^Allocate failed: the server answered 500 Server Error$/],
    [599, '', 'error', 'failed', /answered 599$/],
  ])('%i %s → %s (exit class %s)', (code, reason, outcome, kind, message) => {
    expect(outcomeOfTurnError(code)).toBe(outcome)
    expect(failureKindOfOutcome(outcomeOfTurnError(code))).toBe(kind)
    expect(explainTurnError({code, reason}, {kind: 'allocate'}).message).toMatch(message)
  })

  it('explains a refused permission with the peer', () => {
    const {message, hint} = explainTurnError(
      {code: 403, reason: 'Forbidden'},
      {kind: 'permission', peer: {address: '127.0.0.1', port: 5000}},
    )
    expect(message).toBe('the server refused a permission for peer 127.0.0.1:5000 (403 Forbidden)')
    expect(hint).toMatch(/loopback and private/)
  })

  it('names the alternate server of a 300', () => {
    const explained = explainTurnError(
      {code: 300, reason: 'Try Alternate'},
      {kind: 'allocate', alternate: {address: '192.0.2.9', port: 3478}},
    )
    expect(explained.message).toContain('192.0.2.9:3478')
  })

  it('gives a fix for rejected credentials', () => {
    expect(explainTurnError({code: 401, reason: 'Unauthorized'}, {kind: 'allocate'}).hint).toContain(
      '--turn-credential-file',
    )
  })

  it.each([
    [{code: 401, reason: 'Unauthorized'}, '401 Unauthorized'],
    [{code: 486, reason: ''}, '486'],
  ])('quotes %j as %s', (error, want) => expect(quoteError(error)).toBe(want))

  it.each([
    ['unreachable', 'unreachable'],
    ['timeout', 'unreachable'],
    ['tls-failed', 'unreachable'],
    ['auth-rejected', 'auth'],
    ['forbidden', 'failed'],
    ['aborted', 'failed'],
  ] as const)('outcome %s counts as %s', (outcome, kind) => expect(failureKindOfOutcome(outcome)).toBe(kind))
})
