import {describe, expect, it} from 'vitest'
import {planUrlTargets, withSuffixes} from '../../../src/ice/url-targets.js'

const TURN = {schemes: ['turn', 'turns'] as const}

describe('planUrlTargets: the URL × transport matrix', () => {
  it.each([
    ['turn:h:3478', 'udp'],
    ['turn:h:3478?transport=udp', 'udp'],
    ['turn:h:3478?transport=tcp', 'tcp'],
    ['turns:h:5349', 'tls'],
    ['turns:h:5349?transport=tcp', 'tls'],
  ])('%s → %s', (url, transport) => {
    expect(planUrlTargets([url], TURN)[0]).toMatchObject({url, transport, suffix: transport})
  })

  it.each([
    ['turn:127.0.0.1', 'has no port'],
    ['turn:127.0.0.1:3478?transport=sctp', 'unknown transport "sctp"'],
    ['turns:127.0.0.1:5349?transport=udp', 'DTLS'],
    ['stun:127.0.0.1:3478', 'is a stun: URL; expected turn: or turns:'],
    ['https://turn.example.net', 'is not a STUN/TURN URL'],
  ])('rejects %s (%s) with a usage error naming it', (url, reason) => {
    try {
      planUrlTargets(['turn:ok:3478', url], TURN)
      expect.unreachable()
    } catch (error) {
      const e = error as {code: string; exitCode: number; text: string}
      expect(e).toMatchObject({code: 'E_USAGE', exitCode: 2})
      expect(e.text).toContain(JSON.stringify(url))
      expect(e.text).toContain(reason)
    }
  })

  it('drops duplicates (same server and transport, however written)', () => {
    const targets = planUrlTargets(['turns:h:5349', 'turns:h:5349?transport=tcp', 'turn:h:3478'], TURN)
    expect(targets.map((t) => t.url)).toEqual(['turns:h:5349', 'turn:h:3478'])
  })

  it('names checks by transport, with the port when transports repeat', () => {
    const urls = [
      'turn:turn.cloudflare.com:3478?transport=udp',
      'turn:turn.cloudflare.com:53?transport=udp',
      'turn:turn.cloudflare.com:3478?transport=tcp',
      'turns:turn.cloudflare.com:5349?transport=tcp',
    ]
    expect(planUrlTargets(urls, TURN).map((t) => t.suffix)).toEqual(['udp-3478', 'udp-53', 'tcp', 'tls'])
  })

  it('numbers targets that share transport and port', () => {
    const targets = withSuffixes([
      {transport: 'udp' as const, port: 3478},
      {transport: 'udp' as const, port: 3478},
      {transport: 'tcp' as const, port: 3478},
    ])
    expect(targets.map((t) => t.suffix)).toEqual(['udp-3478-1', 'udp-3478-2', 'tcp'])
  })

  it('accepts STUN URLs when asked to', () => {
    expect(
      planUrlTargets(['stun:h:3478', 'stun:h:3478?transport=tcp'], {schemes: ['stun']}).map((t) => t.transport),
    ).toEqual(['udp', 'tcp'])
  })
})
