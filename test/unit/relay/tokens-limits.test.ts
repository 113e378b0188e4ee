import {describe, expect, it} from 'vitest'
import {checkOfferShape, iceServerLinks} from '../../../src/relay/ingress.js'
import {RateLimiter} from '../../../src/relay/rate-limit.js'
import {authorize, parseTokensFile} from '../../../src/relay/tokens.js'

const table = parseTokensFile('# tokens\n* global-token-0123456789\ncam  cam-token-0123456789abcd\n\n', 't')

describe('relay tokens', () => {
  it.each([
    {path: 'cam', header: 'Bearer cam-token-0123456789abcd', want: 'ok'},
    {path: 'cam', header: 'bearer global-token-0123456789', want: 'ok'},
    {path: 'other', header: 'Bearer global-token-0123456789', want: 'ok'},
    {path: 'other', header: 'Bearer cam-token-0123456789abcd', want: 'invalid'},
    {path: 'cam', header: 'Bearer nope', want: 'invalid'},
    {path: 'cam', header: 'Basic Y2FtOnB3', want: 'missing'},
    {path: 'cam', header: undefined, want: 'missing'},
  ])('$path with $header → $want', ({path, header, want}) => {
    expect(authorize(table, path, header)).toBe(want)
  })

  it('accepts a token from the join link query', () => {
    expect(authorize(table, 'cam', undefined, 'cam-token-0123456789abcd')).toBe('ok')
  })

  it.each([
    ['cam\n', 't:1: expected "<path> <token>"'],
    ['cam a b\n', 't:1: expected'],
    ['\n* short\n', 't:2: token for "*" is shorter than 16 characters'],
  ])('rejects %j with the line number', (text, message) => {
    expect(() => parseTokensFile(text, 't')).toThrow(
      expect.objectContaining({code: 'E_CONFIG', text: expect.stringContaining(message)}),
    )
  })
})

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate, per client', () => {
    let now = 0
    const limiter = new RateLimiter({ratePerSecond: 2, burst: 3, now: () => now})
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false])
    expect(limiter.take('b')).toBe(true)
    expect(limiter.retryAfter('a')).toBe(1)
    now += 500
    expect(limiter.take('a')).toBe(true)
    expect(limiter.take('a')).toBe(false)
  })

  it('tracks a bounded number of clients', () => {
    const limiter = new RateLimiter({ratePerSecond: 1, burst: 1, maxClients: 100})
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`)
    expect(limiter.size).toBe(100)
  })
})

describe('offer shape and Link headers', () => {
  it.each([
    ['v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', undefined],
    ['v=0\r\nm=video 9 X 96\r\nm=video 9 X 96\r\n', 'at most one audio and one video'],
    ['v=0\r\nm=audio 9 X 111\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n', 'unsupported media'],
    ['v=0\r\ns=-\r\n', 'no media'],
    ['<html>', 'not an SDP offer'],
  ])('%j → %s', (sdp, problem) => {
    const result = checkOfferShape(sdp)
    if (problem === undefined) expect(result).toBeUndefined()
    else expect(result).toContain(problem)
  })

  it('formats ice servers as RFC 9725 Link values', () => {
    expect(
      iceServerLinks([
        {urls: 'stun:stun.example:3478'},
        {urls: ['turn:t:3478?transport=udp'], username: 'u', credential: 'p"q'},
      ]),
    ).toEqual([
      '<stun:stun.example:3478>; rel="ice-server"',
      '<turn:t:3478?transport=udp>; rel="ice-server"; username="u"; credential="p\\"q"; credential-type="password"',
    ])
  })
})
