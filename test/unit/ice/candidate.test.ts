import {describe, expect, it} from 'vitest'
import {parseCandidate} from '../../../src/ice/ice-candidate.js'

describe('parseCandidate', () => {
  it.each([
    [
      'candidate:32b1715da3b0ef8ba684454eb 1 udp 2116026367 192.0.2.2 56912 typ host generation 0 ufrag 40f6',
      {
        type: 'host',
        protocol: 'udp',
        address: '192.0.2.2',
        port: 56912,
        priority: 2116026367,
        addressCategory: 'documentation', // TEST-NET-1 (RFC 5737): routed nowhere
      },
    ],
    [
      'candidate:ba04efb4b632c146cfc811f40 1 udp 16777215 127.0.0.1 60685 typ relay raddr 127.0.0.1 rport 41988 generation 0',
      {type: 'relay', relatedAddress: '127.0.0.1', relatedPort: 41988, addressCategory: 'loopback'},
    ],
    [
      'a=candidate:1 1 UDP 1694498815 203.0.113.5 61000 typ srflx raddr 192.168.1.20 rport 40000',
      {type: 'srflx', protocol: 'udp', address: '203.0.113.5'},
    ],
    [
      'candidate:2 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active',
      {protocol: 'tcp', tcpType: 'active', addressCategory: 'private'},
    ],
    ['candidate:3 1 udp 2122262783 fd00::2 35527 typ host generation 0', {address: 'fd00::2', addressCategory: 'ula'}],
  ])('%s', (line, want) => {
    expect(parseCandidate(line)).toMatchObject(want)
  })

  it.each([
    [2116026367, {typePreference: 126, localPreference: 8191, componentPart: 255}],
    [16777215, {typePreference: 0, localPreference: 65535, componentPart: 255}],
    [1694498815, {typePreference: 100, localPreference: 65535, componentPart: 255}],
  ])('decodes priority %i like the trickle ICE page', (priority, parts) => {
    expect(parseCandidate(`candidate:1 1 udp ${priority} 192.0.2.1 1 typ host`)?.priorityParts).toEqual(parts)
  })

  it.each([
    ['', 'empty'],
    ['candidate:1 1 udp 1 192.0.2.1 1 host', 'no typ'],
    ['candidate:1 1 sctp 1 192.0.2.1 1 typ host', 'unknown protocol'],
    ['candidate:1 1 udp x 192.0.2.1 1 typ host', 'priority not a number'],
    ['candidate:1 1 udp 1 192.0.2.1 1 typ weird', 'unknown type'],
  ])('rejects %j (%s)', (line) => {
    expect(parseCandidate(line)).toBeUndefined()
  })
})
