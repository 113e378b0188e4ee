import {describe, expect, it} from 'vitest'
import {type MappingBehaviour, type MappingObservation, mappingVerdict} from '../../../src/stun/nat-mapping.js'

const at = (address: string, port: number) => ({address, port})
const obs = (dest: [string, number], mapped?: [string, number]): MappingObservation => ({
  via: `stun:${dest[0]}:${dest[1]}`,
  destination: at(...dest),
  ...(mapped && {mapped: at(...mapped)}),
})
const LOCAL = at('192.168.1.20', 40000)

describe('mappingVerdict', () => {
  it.each<[string, MappingObservation[], MappingBehaviour, RegExp]>([
    [
      'two servers, same mapping',
      [obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]), obs(['192.0.2.1', 19302], ['203.0.113.5', 61000])],
      'endpoint-independent',
      /^endpoint-independent mapping: direct UDP to a public peer should work$/,
    ],
    [
      'two servers, different mapping',
      [obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]), obs(['192.0.2.1', 19302], ['203.0.113.5', 61001])],
      'varies-by-destination',
      /mapping varies by destination \(symmetric-like NAT\)/,
    ],
    [
      'RFC 5780: same IP other port keeps the mapping, other IP changes it',
      [
        obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]),
        obs(['198.51.100.2', 3478], ['203.0.113.5', 61002]),
        obs(['198.51.100.2', 3479], ['203.0.113.5', 61002]),
      ],
      'address-dependent',
      /address-dependent mapping .*varies by destination/,
    ],
    [
      'RFC 5780: every destination gets its own mapping',
      [
        obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]),
        obs(['198.51.100.2', 3478], ['203.0.113.5', 61002]),
        obs(['198.51.100.2', 3479], ['203.0.113.5', 61003]),
      ],
      'address-and-port-dependent',
      /symmetric NAT/,
    ],
    ['one server', [obs(['198.51.100.1', 3478], ['203.0.113.5', 61000])], 'untested', /not tested/],
    [
      'the same server twice counts once',
      [obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]), obs(['198.51.100.1', 3478], ['203.0.113.5', 61000])],
      'untested',
      /only one destination/,
    ],
    [
      'one of two servers silent',
      [obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]), obs(['192.0.2.1', 3478])],
      'untested',
      /not tested/,
    ],
    ['nothing answered', [obs(['198.51.100.1', 3478]), obs(['192.0.2.1', 3478])], 'no-answer', /UDP may be blocked/],
    ['nothing asked', [], 'no-answer', /no STUN answer/],
  ])('%s → %s', (_name, observations, behaviour, verdict) => {
    const result = mappingVerdict(observations, LOCAL)
    expect(result.behaviour).toBe(behaviour)
    expect(result.verdict).toMatch(verdict)
  })

  it('says when there is no NAT (mapped = local)', () => {
    const local = at('127.0.0.1', 5000)
    const result = mappingVerdict(
      [obs(['127.0.0.1', 3478], ['127.0.0.1', 5000]), obs(['127.0.0.2', 3478], ['127.0.0.1', 5000])],
      local,
    )
    expect(result).toMatchObject({behaviour: 'endpoint-independent', nat: false})
    expect(result.verdict).toContain('no NAT')
  })

  it('reports NAT when the mapping differs from the local address', () => {
    expect(mappingVerdict([obs(['198.51.100.1', 3478], ['203.0.113.5', 61000])], LOCAL).nat).toBe(true)
  })

  it('names what the verdict rests on', () => {
    const result = mappingVerdict(
      [obs(['198.51.100.1', 3478], ['203.0.113.5', 61000]), obs(['192.0.2.1', 19302], ['203.0.113.5', 61001])],
      LOCAL,
    )
    expect(result.basis).toBe('198.51.100.1:3478 → 203.0.113.5:61000; 192.0.2.1:19302 → 203.0.113.5:61001')
  })
})
