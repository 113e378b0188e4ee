import {describe, expect, it} from 'vitest'
import {R58Error} from '../../../../src/errors.js'
import {planCallsEmulator} from '../../../../src/sim/calls-sfu/serve.js'

const listen = {host: '127.0.0.1', port: 8787}

describe('planCallsEmulator', () => {
  it('generates the app id and secret when none is configured, and keeps them out of the plan', () => {
    const resolved = planCallsEmulator({listen})
    expect(resolved.plan).toMatchObject({
      listen: '127.0.0.1:8787',
      appSecretSource: 'generated',
      turn: {enabled: false},
    })
    expect(resolved.plan.appId).toMatch(/^[0-9a-f]{32}$/)
    expect(resolved.appSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(resolved.plan)).not.toContain(resolved.appSecret)
  })

  it.each([
    {
      what: 'configured app and TURN key',
      input: {appId: 'a', appSecret: 's', turnKeyId: 'k', turnKeyToken: 't'},
      want: {
        appId: 'a',
        appSecretSource: 'configured',
        turn: {enabled: true, keyId: 'k', keyTokenSource: 'configured'},
      },
    },
    {
      what: 'TURN URLs without a key: a key is made up, its token generated',
      input: {turnUrls: ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349'], turnSecret: 'x'},
      want: {
        turn: {
          enabled: true,
          keyId: 'r58-turn-key',
          keyTokenSource: 'generated',
          stunUrls: ['stun:127.0.0.1:3478'],
          sharedSecret: true,
        },
      },
    },
    {
      what: 'a key id alone',
      input: {turnKeyId: 'k'},
      want: {turn: {enabled: true, turnUrls: [], keyTokenSource: 'generated'}},
    },
  ])('$what', ({input, want}) => {
    expect(planCallsEmulator({listen, ...input}).plan).toMatchObject(want)
  })

  it.each(['stun:127.0.0.1:3478', 'http://127.0.0.1', 'turn:127.0.0.1'])('rejects --turn-url %s', (url) => {
    expect(() => planCallsEmulator({listen, turnUrls: [url]})).toThrow(R58Error)
  })
})
