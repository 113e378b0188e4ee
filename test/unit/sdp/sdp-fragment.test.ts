/** Trickle fragments (RFC 8840) and the relay's reading of offers, both on the SDP model: line ends as before. */
import {describe, expect, it} from 'vitest'
import {checkOfferShape} from '../../../src/relay/offer-check.js'
import {hasIceCredentials, parseTrickleFragment} from '../../../src/whip/sdpfrag.js'

const CANDIDATE = 'a=candidate:1 1 udp 2122260223 127.0.0.1 61764 typ host'

describe('parseTrickleFragment', () => {
  it.each([
    {
      what: 'credentials, two sections, the end',
      text: `a=ice-ufrag:u\r\na=ice-pwd:p\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n${CANDIDATE}\r\nm=video 9 RTP/AVP 0\r\na=mid:1\r\n${CANDIDATE}\r\na=end-of-candidates\r\n`,
      want: {ufrag: 'u', pwd: 'p', mids: ['0', '1'], end: true},
    },
    {
      what: 'a candidate before its a=mid has none',
      text: `m=audio 9 RTP/AVP 0\r\n${CANDIDATE}\r\na=mid:0\r\n`,
      want: {ufrag: null, pwd: null, mids: [null], end: false},
    },
    {
      what: 'an m-line forgets the previous mid',
      text: `a=mid:7\r\n${CANDIDATE}\r\nm=audio 9 RTP/AVP 0\r\n${CANDIDATE}\r\n`,
      want: {ufrag: null, pwd: null, mids: ['7', null], end: false},
    },
    {
      what: 'LF line ends, the last credentials win',
      text: 'a=ice-ufrag:a\na=ice-ufrag:b\na=end-of-candidates\n',
      want: {ufrag: 'b', pwd: null, mids: [], end: true},
    },
    {
      what: 'a stray CR before CRLF still ends gathering',
      text: 'a=end-of-candidates\r\r\n',
      want: {ufrag: null, pwd: null, mids: [], end: true},
    },
    {
      what: 'a candidate flag is no candidate',
      text: 'a=candidate\r\n',
      want: {ufrag: null, pwd: null, mids: [], end: false},
    },
  ])('$what', ({text, want}) => {
    const parsed = parseTrickleFragment(text)
    expect({ufrag: parsed.ufrag, pwd: parsed.pwd, mids: parsed.candidates.map((c) => c.mid), end: parsed.end}).toEqual(
      want,
    )
  })
})

describe('hasIceCredentials (an ICE restart when If-Match is *)', () => {
  it.each([
    ['a=ice-ufrag:x\r\n', true],
    ['a=ice-pwd:y\n', true],
    ['a=ice-ufrag:\r\n', true],
    [`m=audio 9 RTP/AVP 0\r\na=mid:0\r\n${CANDIDATE}\r\n`, false],
    ['a=x\ra=ice-pwd:y', true],
    ['a=ice-ufrag\r\n', false],
    ['b=ice-ufrag:x\r\n', false],
  ])('%j → %s', (text, want) => {
    expect(hasIceCredentials(text)).toBe(want)
  })
})

describe("the relay's offer shape counts m-lines whatever the line ends", () => {
  it.each([
    ['v=0\r\nm=audio 9 X 111\r\nm=video 9 X 96\r\n', undefined],
    ['v=0\nm=audio 9 X 111\nm=video 9 X 96\n', undefined],
    ['v=0\rm=video 9 X 96\rm=video 9 X 96\r\n', 'at most one audio and one video track are accepted'],
    ['v=0\r\nm=audio\r\n', 'the offer has no media'],
    ['v=0\r\nm=audio 9 X 111\r\nm=text 9 X 1\r\n', 'unsupported media in the offer: text'],
  ])('%j → %s', (sdp, want) => {
    expect(checkOfferShape(sdp)).toBe(want)
  })
})
