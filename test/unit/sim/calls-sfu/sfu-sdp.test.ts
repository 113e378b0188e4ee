import {describe, expect, it} from 'vitest'
import {ApiError} from '../../../../src/sim/calls-sfu/api-error.js'
import {acceptBundleOnly, checkSdp, toCallsSdp} from '../../../../src/sim/calls-sfu/sdp.js'

/** A browser-style WHIP offer: sendonly Opus + VP8/H.264, BUNDLE, one host candidate. */
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS stream',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 network-id 1',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  'a=msid:stream audio',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=ssrc:1111 cname:x',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  'a=setup:actpass',
  'a=mid:1',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=ssrc-group:FID 2222 3333',
  'a=ssrc:2222 cname:x',
  'a=ssrc:3333 cname:x',
  '',
].join('\r\n')

function reason(sdp: string, type: 'offer' | 'answer' = 'offer'): string {
  try {
    checkSdp(sdp, type)
  } catch (error) {
    if (error instanceof ApiError) {
      expect(error).toMatchObject({status: 400, errorCode: 'invalid_session_description'})
      return error.message
    }
    throw error
  }
  return 'accepted'
}

const replace = (from: string | RegExp, to: string) => OFFER.replace(from, to)

describe('checkSdp', () => {
  it('summarises a browser offer', () => {
    const summary = checkSdp(OFFER, 'offer')
    expect(summary.bundle).toEqual(['0', '1'])
    expect(summary.sections.map((s) => [s.kind, s.mid, s.direction])).toEqual([
      ['audio', '0', 'sendonly'],
      ['video', '1', 'sendonly'],
    ])
    expect(summary.sections[1]?.codecs.get(102)).toBe('h264')
    expect(summary.sections[1]?.ssrcs).toEqual([2222, 3333])
  })

  it.each([
    {what: 'no v=0', sdp: OFFER.slice(5), want: /start with "v=0"/},
    {what: 'a garbage line', sdp: replace('s=-', 's=-\r\nhello'), want: /malformed line/},
    {what: 'no media', sdp: OFFER.split('m=audio')[0] as string, want: /no media sections/},
    {
      what: 'RTP/AVP (no DTLS-SRTP)',
      sdp: replace('m=audio 9 UDP/TLS/RTP/SAVPF', 'm=audio 4000 RTP/AVP'),
      want: /not UDP\/TLS\/RTP\/SAVPF/,
    },
    {what: 'no BUNDLE', sdp: replace('a=group:BUNDLE 0 1\r\n', ''), want: /BUNDLE/},
    {
      what: 'a section outside BUNDLE',
      sdp: replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0'),
      want: /not in the BUNDLE group/,
    },
    {
      what: 'a BUNDLE mid without section',
      sdp: replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0 1 2'),
      want: /no section/,
    },
    {what: 'a duplicate mid', sdp: replace('a=mid:1', 'a=mid:0'), want: /duplicate mid/},
    {what: 'no mid', sdp: replace('a=mid:1\r\n', ''), want: /no valid a=mid/},
    {
      what: 'no ICE password',
      sdp: OFFER.replaceAll('a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n', ''),
      want: /ice-ufrag \/ a=ice-pwd/,
    },
    {what: 'no fingerprint', sdp: OFFER.replace(/a=fingerprint:.*\r\n/g, ''), want: /no a=fingerprint/},
    {
      what: 'a broken fingerprint',
      sdp: replace(/a=fingerprint:sha-256 AB/, 'a=fingerprint:sha-256 ZZ'),
      want: /malformed a=fingerprint/,
    },
    {
      what: 'actpass in an answer',
      sdp: OFFER,
      type: 'answer' as const,
      want: /a=setup:actpass is not valid in an answer/,
    },
    {what: 'no rtcp-mux', sdp: OFFER.replaceAll('a=rtcp-mux\r\n', ''), want: /rtcp-mux/},
    {what: 'a payload type over 127', sdp: replace('SAVPF 111', 'SAVPF 300'), want: /payload type/},
    {what: 'a broken rtpmap', sdp: replace('a=rtpmap:111 opus/48000/2', 'a=rtpmap:111 opus'), want: /malformed/},
    {what: 'a broken candidate', sdp: replace('typ host generation', 'typ banana generation'), want: /a=candidate/},
    {what: 'a broken extmap', sdp: replace('a=extmap:1 ', 'a=extmap:0 '), want: /a=extmap/},
    {
      what: 'two directions',
      sdp: replace('a=sendonly\r\na=msid', 'a=sendonly\r\na=recvonly\r\na=msid'),
      want: /more than one direction/,
    },
    {what: 'a control character', sdp: replace('s=-', 's=\u0001'), want: /control characters/},
    {what: 'a huge SDP', sdp: `${OFFER}a=x:${'y'.repeat(200_000)}\r\n`, want: /larger than/},
  ])('rejects $what', ({sdp, type, want}) => {
    expect(reason(sdp, type)).toMatch(want)
  })

  it('accepts bundle-only sections once rewritten to port 9', () => {
    const bundleOnly = replace('m=video 9 ', 'm=video 0 ').replace('a=mid:1', 'a=mid:1\r\na=bundle-only')
    const rewritten = acceptBundleOnly(bundleOnly)
    expect(rewritten).toContain('m=video 9 ')
    expect(rewritten).not.toContain('a=bundle-only')
    expect(reason(rewritten)).toBe('accepted')
  })
})

describe("toCallsSdp writes Calls' shape", () => {
  const out = toCallsSdp(OFFER, true)
  const [session, ...sections] = out.split(/\r\nm=/)

  it('has a=ice-lite and the fingerprint at session level, and none per section', () => {
    expect(session).toContain('a=ice-lite')
    expect(session).toMatch(/a=fingerprint:sha-256 AB:CD/)
    for (const section of sections) {
      expect(section).not.toContain('a=fingerprint')
      expect(section).not.toContain('a=ice-lite')
    }
  })

  it('keeps extmap-allow-mixed and drops trickle', () => {
    expect(session).toContain('a=extmap-allow-mixed')
    expect(out).not.toContain('a=ice-options:trickle')
    expect(reason(out)).toBe('accepted')
  })

  it('writes no ice-lite for a full-ICE (thirdparty) session', () => {
    expect(toCallsSdp(OFFER, false)).not.toContain('a=ice-lite')
  })
})
