import {describe, expect, it} from 'vitest'
import {analyzeAnswer, isDocumentationAddress} from '../../../src/sdp/analysis.js'
import {filterCandidateLines, unbundleOnly} from '../../../src/sdp/munge.js'
import {candidateLabel, formatCandidate, parseCandidate} from '../../../src/sdp/sdp-candidate.js'

const answer = (candidates: string[], extra = '') =>
  [
    'v=0',
    'o=- 1 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:0123456789abcdef012345',
    'a=rtpmap:111 opus/48000/2',
    ...candidates,
    'a=end-of-candidates',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=mid:1',
    'a=rtpmap:96 VP8/90000',
    extra,
  ]
    .filter(Boolean)
    .join('\r\n')

describe('candidate classification', () => {
  it.each([
    ['a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host', 'loopback', 'this-host', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 192.168.1.58 8189 typ host', 'private', 'lan', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 10.0.0.5 8189 typ host', 'private', 'lan', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 172.20.1.1 8189 typ host', 'private', 'lan', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 100.101.102.103 8189 typ host', 'cgnat', 'tailnet', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 169.254.3.4 8189 typ host', 'link-local', 'lan', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 fd7a:115c:a1e0::1 8189 typ host', 'ula', 'lan', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 2a01:4f8::1 8189 typ host', 'public', 'internet', 'host', 'udp'],
    ['a=candidate:1 1 udp 2130706431 8.8.4.4 8189 typ host', 'public', 'internet', 'host', 'udp'],
    [
      'a=candidate:1 1 udp 2130706431 3f1c3a7e-1b2c-4d5e-8f90-0a1b2c3d4e5f.local 50000 typ host',
      'mdns',
      'lan',
      'host',
      'udp',
    ],
    ['a=candidate:1 1 udp 2130706431 box.example.com 8189 typ host', 'hostname', 'unknown', 'host', 'udp'],
    [
      'a=candidate:1 1 udp 1694498815 8.8.8.8 40000 typ srflx raddr 192.168.1.58 rport 40000',
      'public',
      'internet',
      'srflx',
      'udp',
    ],
    [
      'a=candidate:1 1 udp 16777215 8.8.8.8 50000 typ relay raddr 0.0.0.0 rport 0',
      'public',
      'internet',
      'relay',
      'udp',
    ],
    ['a=candidate:1 1 tcp 1671430143 192.168.1.58 8189 typ host tcptype passive', 'private', 'lan', 'host', 'tcp'],
  ])('%s → %s/%s', (line, category, scope, type, transport) => {
    const [c] = analyzeAnswer(answer([line])).candidates
    expect(c).toMatchObject({category, scope, type, transport})
  })

  it('reads TCP types, related addresses and the mid of the section', () => {
    const [tcp, srflx] = analyzeAnswer(
      answer([
        'a=candidate:7 1 tcp 1671430143 192.168.1.58 8189 typ host tcptype passive',
        'a=candidate:8 1 udp 1694498815 198.51.100.7 40000 typ srflx raddr 192.168.1.58 rport 40001',
      ]),
    ).candidates
    expect(tcp).toMatchObject({tcpType: 'passive', label: '192.168.1.58:8189/tcp', mid: '0', lineNumber: 11})
    expect(srflx).toMatchObject({documentation: true, type: 'srflx'})
  })

  it.each([
    ['192.0.2.1', true],
    ['198.51.100.200', true],
    ['203.0.113.58', true],
    ['2001:db8::1', true],
    ['[2001:0db8:0:0::7]', true],
    ['3fff::1', true],
    ['::ffff:192.0.2.9', true],
    ['198.18.0.1', false],
    ['192.168.1.58', false],
    ['8.8.8.8', false],
  ])('documentation range %s: %s', (address, expected) => {
    expect(isDocumentationAddress(address)).toBe(expected)
  })

  it('labels IPv6 with brackets and formats candidates back', () => {
    expect(candidateLabel({address: 'fd00::1', port: 8189, transport: 'udp'})).toBe('[fd00::1]:8189/udp')
    const parsed = parseCandidate('candidate:9 1 tcp 1671430143 10.0.0.1 8189 typ host tcptype passive')
    expect('candidate' in parsed && formatCandidate(parsed.candidate)).toBe(
      'a=candidate:9 1 tcp 1671430143 10.0.0.1 8189 typ host tcptype passive',
    )
  })
})

describe('malformed answers quote the offending line', () => {
  it.each([
    ['a=candidate:1 1 udp 2130706431 192.168.1.58 notaport typ host', 'bad port "notaport"'],
    ['a=candidate:1 1 udp 2130706431 192.168.1.58 8189', 'at least 8 fields'],
    ['a=candidate:1 1 sctp 2130706431 192.168.1.58 8189 typ host', 'unknown transport'],
    ['a=candidate:1 1 udp 2130706431 192.168.1.58 8189 typ bogus', 'bad candidate type'],
    ['this is not sdp', 'not of the form'],
  ])('%s', (line, reason) => {
    expect(() => analyzeAnswer(answer([line]))).toThrow(
      expect.objectContaining({code: 'E_PROTOCOL', text: expect.stringContaining(JSON.stringify(line))}),
    )
    expect(() => analyzeAnswer(answer([line]))).toThrow(
      expect.objectContaining({text: expect.stringContaining(reason)}),
    )
  })

  it('refuses an answer that is not SDP at all, and one without media', () => {
    expect(() => analyzeAnswer('<html>')).toThrow(/line 1: "<html>"/)
    expect(() => analyzeAnswer('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n')).toThrow(/no m= line/)
  })
})

describe('SDP munging', () => {
  it('gives bundle-only sections port 9 and drops the attribute', () => {
    const sdp = answer([], 'a=bundle-only').replace('m=video 9', 'm=video 0')
    const {sdp: out, changed} = unbundleOnly(sdp)
    expect(changed).toBe(1)
    expect(out).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96')
    expect(out).not.toContain('a=bundle-only')
  })

  it('keeps only the candidate lines asked for', () => {
    const sdp = answer([
      'a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host',
      'a=candidate:2 1 udp 2130706431 192.168.1.58 8189 typ host',
    ])
    const out = filterCandidateLines(sdp, (line) => line === 11)
    expect(out).toContain('127.0.0.1')
    expect(out).not.toContain('192.168.1.58')
  })
})
