import {describe, expect, it} from 'vitest'
import {formatLinkHeaders, parseLinkHeaders} from '../../../src/whip/link-header.js'
import {resolveLocation} from '../../../src/whip/location.js'
import {buildTrickleFragment, parseTrickleFragment} from '../../../src/whip/sdpfrag.js'
import {mediamtxPathOf, whipEndpointUrl} from '../../../src/whip/whip-endpoint.js'

describe('Link header ICE servers', () => {
  it.each([
    {
      name: 'MediaMTX style, one header per server',
      values: [
        '<stun:stun.example.net:3478>; rel="ice-server"',
        '<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"',
      ],
      want: [
        {urls: 'stun:stun.example.net:3478'},
        {urls: 'turn:turn.example.net:3478?transport=udp', username: 'u', credential: 'p'},
      ],
    },
    {
      name: 'several links in one header, commas inside quotes',
      values: ['<stun:a:3478>; rel="ice-server", <turns:b:5349>; rel="ice-server"; username="x,y"; credential="a\\"b"'],
      want: [{urls: 'stun:a:3478'}, {urls: 'turns:b:5349', username: 'x,y', credential: 'a"b'}],
    },
    {
      name: 'other relations are ignored, rel lists work, unquoted values too',
      values: [
        '</style.css>; rel=stylesheet',
        '<turn:c:3478>; rel="preload ice-server"; username=user; credential=pass',
      ],
      want: [{urls: 'turn:c:3478', username: 'user', credential: 'pass'}],
    },
    {name: 'no Link headers', values: [], want: []},
  ])('$name', ({values, want}) => {
    expect(parseLinkHeaders(values).servers).toEqual(want)
  })

  it('reports unusable ice-server links', () => {
    expect(parseLinkHeaders(['<http://x>; rel="ice-server"']).ignored).toEqual([
      'http://x (not a stun:, turn: or turns: URL)',
    ])
  })

  it('round-trips what it formats', () => {
    const servers = [{urls: 'turn:t:3478?transport=tcp', username: 'a"b', credential: 'c\\d'}]
    expect(parseLinkHeaders(formatLinkHeaders(servers)).servers).toEqual(servers)
  })
})

describe('Location resolution (relative to the URL that answered)', () => {
  const post = 'http://box:8889/cam/whip?token=1'
  it.each([
    ['v0.23.0: none', undefined, 'http://box:8889/cam/whip?token=1', 'missing'],
    ['v0.23.3–v1.2.0: the request URL', '/cam/whip?token=1', 'http://box:8889/cam/whip?token=1', 'absolute-path'],
    ['v1.3–v1.6: relative', 'whip/5d2b', 'http://box:8889/cam/whip/5d2b', 'relative'],
    ['v1.7+: absolute path', '/cam/whip/5d2b', 'http://box:8889/cam/whip/5d2b', 'absolute-path'],
    ['v1.10+: with the query', '/cam/whip/5d2b?token=1', 'http://box:8889/cam/whip/5d2b?token=1', 'absolute-path'],
    ['simple-whip-server', '/whip/resource/abc', 'http://box:8889/whip/resource/abc', 'absolute-path'],
    ['absolute URL', 'https://other:443/s/1', 'https://other/s/1', 'absolute'],
  ])('%s', (_name, location, url, form) => {
    expect(resolveLocation(location, post)).toEqual({url, form})
  })
})

describe('endpoint URLs', () => {
  it.each([
    ['http://box:8889', 'r58-probe', 'http://box:8889/r58-probe/whip'],
    ['http://box:8889/', 'live/cam', 'http://box:8889/live/cam/whip'],
    ['http://box:8889/cam/whip', 'ignored', 'http://box:8889/cam/whip'],
    ['http://box:7080/whip/endpoint/abc', 'ignored', 'http://box:7080/whip/endpoint/abc'],
  ])('%s with path %s → %s', (url, path, want) => {
    expect(whipEndpointUrl(url, path)).toBe(want)
  })

  it('refuses what is not an http URL', () => {
    expect(() => whipEndpointUrl('box:8889', 'x')).toThrow(expect.objectContaining({code: 'E_USAGE'}))
    expect(() => whipEndpointUrl('nonsense', 'x')).toThrow(expect.objectContaining({code: 'E_USAGE'}))
  })

  it('finds the MediaMTX path', () => {
    expect(mediamtxPathOf('http://box:8889/live/cam/whip?x=1')).toBe('live/cam')
    expect(mediamtxPathOf('http://box:7080/whip/endpoint/abc')).toBeUndefined()
  })
})

describe('trickle fragments', () => {
  it('builds the RFC 9725 form and reads it back', () => {
    const text = buildTrickleFragment({
      ufrag: 'EsAw',
      pwd: 'P2uYro0UCOQ4zxjKXaWCBui1',
      sections: [{kind: 'audio', mid: '0', candidates: ['a=candidate:1 1 udp 2122260223 127.0.0.1 61764 typ host']}],
      end: true,
    })
    expect(text).toBe(
      'a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n' +
        'a=candidate:1 1 udp 2122260223 127.0.0.1 61764 typ host\r\na=end-of-candidates\r\n',
    )
    expect(parseTrickleFragment(text)).toEqual({
      ufrag: 'EsAw',
      pwd: 'P2uYro0UCOQ4zxjKXaWCBui1',
      candidates: [{mid: '0', candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 61764 typ host'}],
      end: true,
    })
  })
})
