import {describe, expect, it} from 'vitest'
import {unbundleSections} from '../../../src/sdp/munge.js'
import {candidateLine, isCandidateLine} from '../../../src/sdp/sdp-candidate.js'
import {
  attributeLine,
  attributeValue,
  attributeValues,
  documentAttributeValues,
  documentLines,
  hasFlag,
  isAttribute,
  mediaSection,
  parseSdpDocument,
  removeLines,
  sdpAttribute,
  sdpLine,
  sdpLines,
  serializeSdp,
  setSectionPort,
} from '../../../src/sdp/sdp-document.js'
import {keepRemoteCandidates} from '../../../src/webrtc/scope.js'

const SDP = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=ice-lite',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=ice-ufrag:abcd',
  'a=rtpmap:111 opus/48000/2',
  'a=candidate:1 1 udp 2122260223 192.168.1.10 54321 typ host',
  'a=sendonly',
  'm=video 0/2 UDP/TLS/RTP/SAVPF 96',
  'a=mid:1',
  'a=bundle-only',
  'a=candidate:2 1 udp 2122260223 10.0.0.1 9 typ host',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:2',
  '',
].join('\r\n')

describe('sdpLine and sdpAttribute', () => {
  it.each([
    {text: 'v=0', type: 'v', value: '0', attribute: null},
    {text: 'a=rtcp-mux', type: 'a', value: 'rtcp-mux', attribute: {name: 'rtcp-mux', value: null}},
    {text: 'a=mid:0', type: 'a', value: 'mid:0', attribute: {name: 'mid', value: '0'}},
    {
      text: 'a=fingerprint:sha-256 AB:CD',
      type: 'a',
      value: 'fingerprint:sha-256 AB:CD',
      attribute: {name: 'fingerprint', value: 'sha-256 AB:CD'},
    },
    {text: 'a=ice-ufrag:', type: 'a', value: 'ice-ufrag:', attribute: {name: 'ice-ufrag', value: ''}},
    {text: 'a=', type: 'a', value: '', attribute: {name: '', value: null}},
    {text: 'garbage', type: null, value: 'garbage', attribute: null},
    {text: 'A=upper', type: null, value: 'A=upper', attribute: null},
    {text: '=', type: null, value: '=', attribute: null},
  ])('$text', ({text, type, value, attribute}) => {
    const line = sdpLine(text, 7)
    expect(line).toEqual({type, value, text, lineNumber: 7})
    expect(sdpAttribute(line)).toEqual(attribute)
  })

  it.each([
    ['rtcp-mux', null, 'a=rtcp-mux'],
    ['mid', '0', 'a=mid:0'],
    ['msid-semantic', 'WMS *', 'a=msid-semantic:WMS *'],
  ])('attributeLine(%j, %j) is %j', (name, value, text) => {
    expect(attributeLine(name, value).text).toBe(text)
  })

  it.each([
    ['a=candidate:1 1 udp 1 1.2.3.4 5 typ host', 'candidate', false, true],
    ['a=candidate', 'candidate', false, false],
    ['a=candidate', 'candidate', true, true],
    ['a=end-of-candidates', 'end-of-candidates', true, true],
    ['a=end-of-candidates:x', 'end-of-candidates', true, false],
    ['b=candidate:1', 'candidate', false, false],
  ])('isAttribute(%j, %j, flag %j) is %j', (text, name, flag, want) => {
    expect(isAttribute(sdpLine(text), name, flag)).toBe(want)
  })
})

describe('sdpLines', () => {
  it.each([
    {what: 'CRLF', text: 'v=0\r\ns=-\r\n', trim: false, want: ['v=0', 's=-']},
    {what: 'bare LF', text: 'v=0\ns=-\n', trim: false, want: ['v=0', 's=-']},
    {what: 'trailing empty lines', text: 'v=0\r\n\r\n\r\n', trim: false, want: ['v=0']},
    {what: 'an empty line inside, kept', text: 'v=0\r\n\r\ns=-', trim: false, want: ['v=0', '', 's=-']},
    {what: 'a bare CR is no line end', text: 'v=0\rs=-', trim: false, want: ['v=0\rs=-']},
    {what: 'trimmed, empty lines skipped', text: 'v=0 \r\n\r\ns=-\t\r\n', trim: true, want: ['v=0', 's=-']},
    {what: 'nothing', text: '', trim: false, want: []},
  ])('$what', ({text, trim, want}) => {
    expect(sdpLines(text, {trim})).toEqual(want)
  })
})

describe('parseSdpDocument', () => {
  const document = parseSdpDocument(SDP)

  it('splits the session part from the sections', () => {
    expect(document.session.map((l) => l.text)).toEqual(SDP.split('\r\n').slice(0, 6))
    expect(document.sections).toHaveLength(3)
  })

  it.each([
    {index: 0, kind: 'audio', port: 9, proto: 'UDP/TLS/RTP/SAVPF', formats: ['111', '0'], mid: '0', lines: 6},
    {index: 1, kind: 'video', port: 0, proto: 'UDP/TLS/RTP/SAVPF', formats: ['96'], mid: '1', lines: 3},
    {
      index: 2,
      kind: 'application',
      port: 9,
      proto: 'UDP/DTLS/SCTP',
      formats: ['webrtc-datachannel'],
      mid: '2',
      lines: 1,
    },
  ])('section $index: $kind $port $proto', ({index, kind, port, proto, formats, mid, lines}) => {
    const section = document.sections[index]
    expect(section).toMatchObject({kind, port, proto, formats})
    expect(attributeValue(section?.lines ?? [], 'mid')).toBe(mid)
    expect(section?.lines).toHaveLength(lines)
  })

  it.each([
    ['m=audio', {kind: 'audio', port: Number.NaN, proto: '', formats: []}],
    ['m=video x RTP/AVP 96', {kind: 'video', port: Number.NaN, proto: 'RTP/AVP', formats: ['96']}],
    ['m=video 70000 RTP/AVP 96', {kind: 'video', port: 70000, proto: 'RTP/AVP', formats: ['96']}],
  ])('reads a malformed m-line %j without throwing', (mLine, want) => {
    expect(parseSdpDocument(`v=0\r\n${mLine}\r\n`).sections[0]).toMatchObject(want)
  })

  it('numbers lines from 1 and keeps the session attributes', () => {
    expect([...documentLines(document)].map(({line}) => line.lineNumber)).toEqual(
      Array.from({length: 19}, (_, i) => i + 1),
    )
    expect(attributeValue(document.session, 'group')).toBe('BUNDLE 0 1')
    expect(hasFlag(document.session, 'ice-lite')).toBe(true)
    expect(hasFlag(document.session, 'group')).toBe(false)
  })

  it('finds attributes in a section or anywhere', () => {
    expect(attributeValues(document.sections[0]?.lines ?? [], 'rtpmap')).toEqual(['111 opus/48000/2'])
    expect(documentAttributeValues(document, 'mid')).toEqual(['0', '1', '2'])
    expect(documentAttributeValues(document, 'ice-ufrag')).toEqual(['abcd'])
  })

  it('reads a trickle fragment (no session lines but attributes)', () => {
    const fragment = parseSdpDocument('a=ice-ufrag:x\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n')
    expect(fragment.session.map((l) => l.text)).toEqual(['a=ice-ufrag:x'])
    expect(fragment.sections[0]?.kind).toBe('audio')
  })
})

describe('serializeSdp', () => {
  it.each([
    {what: 'CRLF text', text: SDP, want: SDP},
    {what: 'LF text, written back with CRLF', text: SDP.replaceAll('\r\n', '\n'), want: SDP},
    {what: 'no final line end', text: SDP.slice(0, -2), want: SDP},
    {what: 'unknown and malformed lines, in place', text: 'v=0\r\nx-junk\r\nm=audio\r\n\r\na=z\r\n', want: null},
  ])('round-trips $what', ({text, want}) => {
    expect(serializeSdp(parseSdpDocument(text))).toBe(want ?? text)
  })

  it('writes a document built here', () => {
    const document = {
      session: [attributeLine('ice-ufrag', 'u')],
      sections: [
        mediaSection(
          'audio',
          9,
          'RTP/AVP',
          ['0'],
          [attributeLine('mid', '0'), candidateLine('1 1 udp 1 ::1 9 typ host')],
        ),
      ],
    }
    expect(serializeSdp(document)).toBe(
      'a=ice-ufrag:u\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:1 1 udp 1 ::1 9 typ host\r\n',
    )
  })
})

describe('munging', () => {
  it.each([
    ['m=video 0 UDP/TLS/RTP/SAVPF 96', 7, 'm=video 7 UDP/TLS/RTP/SAVPF 96'],
    ['m=video 0/2 RTP/AVP 96', 9, 'm=video 9/2 RTP/AVP 96'],
  ])('setSectionPort(%j, %j)', (mLine, port, want) => {
    const document = parseSdpDocument(`v=0\r\n${mLine}\r\na=mid:0\r\n`)
    const section = document.sections[0]
    if (!section) throw new Error('no section')
    setSectionPort(section, port)
    expect(section.port).toBe(port)
    expect(serializeSdp(document)).toBe(`v=0\r\n${want}\r\na=mid:0\r\n`)
  })

  it('removeLines removes from the session part and every section, and counts', () => {
    const document = parseSdpDocument(SDP)
    expect(removeLines(document, isCandidateLine)).toBe(2)
    expect(serializeSdp(document)).toBe(SDP.replace(/a=candidate:.*\r\n/g, ''))
  })

  it.each([
    {
      what: 'port 0 + bundle-only',
      m: 'm=video 0 UDP/TLS/RTP/SAVPF 96',
      extra: 'a=bundle-only',
      want: 'm=video 9 ',
      n: 1,
    },
    {
      what: 'bundle-only on a live port',
      m: 'm=video 9 UDP/TLS/RTP/SAVPF 96',
      extra: 'a=bundle-only',
      want: 'm=video 9 ',
      n: 1,
    },
    {what: 'a rejected section', m: 'm=video 0 UDP/TLS/RTP/SAVPF 96', extra: 'a=sendonly', want: 'm=video 0 ', n: 0},
  ])('unbundleSections: $what', ({m, extra, want, n}) => {
    const document = parseSdpDocument(`v=0\r\n${m}\r\na=mid:0\r\n${extra}\r\n`)
    expect(unbundleSections(document)).toBe(n)
    const out = serializeSdp(document)
    expect(out).toContain(want)
    expect(out).not.toContain('a=bundle-only')
  })

  it('keepRemoteCandidates keeps the candidates allowed and drops the unreadable ones', () => {
    const sdp = SDP.replace('a=sendonly', 'a=candidate:x\r\na=sendonly')
    const out = keepRemoteCandidates(sdp, (address) => address.startsWith('10.'))
    expect(out).toBe(SDP.replace(/a=candidate:1 .*\r\n/, ''))
  })
})
