import {describe, expect, it} from 'vitest'
import {formatIceUrl, parseIceUrl} from '../../../src/ice/ice-url.js'

describe('parseIceUrl', () => {
  it.each([
    [
      'stun:stun.cloudflare.com:3478',
      {scheme: 'stun', host: 'stun.cloudflare.com', port: 3478, transport: 'udp', isTurn: false},
    ],
    ['turn:127.0.0.1:3478', {scheme: 'turn', port: 3478, transport: 'udp', isTurn: true}],
    ['turn:127.0.0.1:3478?transport=udp', {transport: 'udp'}],
    ['turn:127.0.0.1:3478?transport=tcp', {transport: 'tcp'}],
    ['TURN:h:80?transport=TCP', {scheme: 'turn', transport: 'tcp'}],
    ['turns:turn.cloudflare.com:5349?transport=tcp', {scheme: 'turns', transport: 'tls'}],
    ['turns:h:443', {transport: 'tls'}],
    ['turn:[::1]:3478', {host: '::1'}],
  ])('%s', (url, want) => expect(parseIceUrl(url)).toMatchObject(want))

  it.each([
    ['turn:127.0.0.1', 'has no port', 'turn:127.0.0.1:3478'],
    ['stun:h', 'has no port', 'stun:h:3478'],
    ['turn:h:70000', 'invalid port', '1 to 65535'],
    ['turn:h:abc', 'invalid port', ''],
    ['turn:h:3478?transport=sctp', 'unknown transport "sctp"', 'transport=udp'],
    ['turns:h:5349?transport=udp', 'DTLS', ''],
    ['http://h:3478', 'is not a STUN/TURN URL', 'stun:host:port'],
    ['turn://user:pass@h:3478', 'is not a STUN/TURN URL', ''],
  ])('rejects %s (%s), naming the URL and the field', (url, reason, hint) => {
    try {
      parseIceUrl(url, '--ice-server')
      expect.unreachable()
    } catch (error) {
      const e = error as {code: string; text: string; hint: string; exitCode: number}
      expect(e.code).toBe('E_USAGE')
      expect(e.exitCode).toBe(2)
      expect(e.text).toContain('--ice-server')
      expect(e.text).toContain(JSON.stringify(url))
      expect(e.text).toContain(reason)
      expect(e.hint).toContain(hint)
    }
  })

  it.each([
    ['turn:h:3478', 'turn:h:3478?transport=udp'],
    ['turns:h:5349', 'turns:h:5349?transport=tcp'],
    ['stun:[::1]:3478', 'stun:[::1]:3478'],
  ])('formats %s canonically as %s', (url, want) => expect(formatIceUrl(parseIceUrl(url))).toBe(want))
})
