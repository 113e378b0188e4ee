import {describe, expect, it} from 'vitest'
import {parseVersion, type Version} from '../../../../src/mediamtx/version.js'
import {createdHeaders, errorBody, sessionLocation} from '../../../../src/sim/mediamtx/http-rules.js'
import {mediamtxCandidates} from '../../../../src/sim/mediamtx/standin-candidates.js'
import {checkOfferTracks} from '../../../../src/sim/mediamtx/standin-session.js'

const v = (text: string) => parseVersion(text) as Version
const base = {
  localUDPAddress: ':8189',
  localTCPAddress: '',
  ipsFromInterfaces: true,
  ipsFromInterfacesList: [] as string[],
  additionalHosts: [] as string[],
  hostsReplaceInterfaces: false,
}
const interfaces = [
  {name: 'lo', address: '127.0.0.1'},
  {name: 'eth0', address: '192.168.1.58'},
  {name: 'tailscale0', address: '100.64.0.5'},
]
const ids = () => {
  let n = 0
  return () => String(++n)
}

describe('MediaMTX answer candidates from the configuration', () => {
  it.each([
    {
      name: 'defaults: every interface on the mux port, loopback on the real port',
      webrtc: base,
      want: [
        '1 1 udp 2130706431 127.0.0.1 40000 typ host',
        '2 1 udp 2130706431 192.168.1.58 8189 typ host',
        '3 1 udp 2130706431 100.64.0.5 8189 typ host',
      ],
    },
    {
      name: 'webrtcIPsFromInterfacesList limits the interfaces',
      webrtc: {...base, ipsFromInterfacesList: ['eth0']},
      want: ['1 1 udp 2130706431 192.168.1.58 8189 typ host'],
    },
    {
      name: 'additional hosts add components 1 and 2 on the mux port',
      webrtc: {...base, ipsFromInterfaces: false, additionalHosts: ['203.0.113.7']},
      want: ['1 1 udp 2130706431 203.0.113.7 8189 typ host', '1 2 udp 2130706431 203.0.113.7 8189 typ host'],
    },
    {
      name: 'a custom mux port and TCP (tcptype passive)',
      webrtc: {...base, localUDPAddress: ':9000', localTCPAddress: ':9001', ipsFromInterfacesList: ['eth0']},
      want: [
        '1 1 udp 2130706431 192.168.1.58 9000 typ host',
        '2 1 tcp 1671430143 192.168.1.58 9001 typ host tcptype passive',
      ],
    },
    {
      name: 'UDP off, TCP only',
      webrtc: {...base, localUDPAddress: '', localTCPAddress: ':8189', ipsFromInterfacesList: ['eth0']},
      want: ['1 1 tcp 1671430143 192.168.1.58 8189 typ host tcptype passive'],
    },
  ])('$name', ({webrtc, want}) => {
    const result = mediamtxCandidates({
      webrtc,
      version: v('v1.20.1'),
      interfaces,
      loopbackUdpPort: 40000,
      foundation: ids(),
    })
    expect(result.candidates).toEqual(want)
  })

  it('resolves host names from v1.14, keeps them before, skips unresolvable ones from v1.19.2', () => {
    const webrtc = {...base, ipsFromInterfaces: false, additionalHosts: ['box.example.com', 'nowhere.invalid']}
    const resolved = new Map([['box.example.com', ['198.51.100.9']]])
    const input = {webrtc, interfaces, resolved, loopbackUdpPort: 40000, foundation: ids()}
    expect(mediamtxCandidates({...input, version: v('v1.13.0')}).candidates[0]).toContain(' box.example.com 8189 ')
    const modern = mediamtxCandidates({...input, version: v('v1.20.1')})
    expect(modern.candidates).toHaveLength(2)
    expect(modern.candidates[0]).toContain(' 198.51.100.9 8189 ')
    expect(modern.skipped).toEqual(['cannot resolve additional host "nowhere.invalid", skipping it'])
    expect(mediamtxCandidates({...input, version: v('v1.18.0')}).error).toBe('lookup nowhere.invalid: no such host')
  })

  it('on real interfaces every UDP candidate carries the session port, TCP keeps the configured one', () => {
    const webrtc = {
      ...base,
      localTCPAddress: ':8190',
      ipsFromInterfacesList: ['eth0'],
      additionalHosts: ['203.0.113.7'],
    }
    const result = mediamtxCandidates({
      webrtc,
      version: v('v1.20.1'),
      interfaces,
      loopbackUdpPort: 8191,
      sessionUdpPort: 8191,
      foundation: ids(),
    })
    expect(result.candidates.filter((c) => c.includes(' udp ')).map((c) => c.split(' ')[5])).toEqual([
      '8191',
      '8191',
      '8191',
    ])
    expect(result.candidates.filter((c) => c.includes(' tcp ')).map((c) => c.split(' ')[5])).toEqual([
      '8190',
      '8190',
      '8190',
    ])
  })

  it('before v1.3.0: random ports (the real one), NAT 1:1 IPs replace host addresses', () => {
    const webrtc = {...base, localUDPAddress: '', additionalHosts: ['203.0.113.7'], hostsReplaceInterfaces: true}
    const result = mediamtxCandidates({
      webrtc,
      version: v('v1.2.0'),
      interfaces,
      loopbackUdpPort: 40000,
      foundation: ids(),
    })
    expect(result.candidates).toEqual([
      '1 1 udp 2130706431 203.0.113.7 40000 typ host',
      '1 2 udp 2130706431 203.0.113.7 40000 typ host',
    ])
  })
})

describe('WHIP 201 headers per version', () => {
  const input = {pathName: 'cam', rawQuery: 'k=1', secret: 'SECRET', requestPath: '/cam/whip', id: 'ID', links: []}
  it.each([
    ['v0.23.0', {'e-tag': 'SECRET'}, undefined],
    ['v0.23.5', {'e-tag': 'SECRET', id: 'ID'}, '/cam/whip?k=1'],
    ['v1.1.0', {'e-tag': 'SECRET', id: 'ID'}, '/cam/whip?k=1'],
    ['v1.2.0', {etag: 'SECRET', id: 'ID'}, '/cam/whip?k=1'],
    ['v1.2.1', {etag: '*', id: 'ID'}, '/cam/whip/SECRET?k=1'],
    ['v1.5.0', {etag: '*', id: 'ID'}, 'whip/SECRET'],
    ['v1.7.0', {etag: '*', id: 'ID'}, '/cam/whip/SECRET'],
    ['v1.9.3', {etag: '*', id: 'ID'}, '/cam/whip/SECRET'],
    ['v1.10.0', {etag: '*', id: 'ID'}, '/cam/whip/SECRET?k=1'],
    ['v1.20.1', {etag: '*', id: 'ID'}, '/cam/whip/SECRET?k=1'],
  ])('%s', (version, headers, location) => {
    const out = createdHeaders(v(version), input)
    expect(out).toMatchObject({...headers, 'accept-patch': 'application/trickle-ice-sdpfrag'})
    expect(out['location']).toBe(location)
    expect(sessionLocation(v(version), input)).toBe(location)
    if (!('id' in headers)) expect(out['id']).toBeUndefined()
  })

  it('writes errors as MediaMTX did', () => {
    expect(errorBody(v('v1.15.4'), 'x')).toEqual({error: 'x'})
    expect(errorBody(v('v1.15.5'), 'x')).toEqual({status: 'error', error: 'x'})
  })
})

describe('406 rules of the offer', () => {
  const offer = (...kinds: string[]) => ['v=0', ...kinds.map((k) => `m=${k} 9 UDP/TLS/RTP/SAVPF 96`)].join('\r\n')
  it.each([
    [['audio', 'video'], undefined],
    [['video'], undefined],
    [['audio', 'video', 'application'], "unsupported media 'application'"],
    [['video', 'video'], 'only a single video and a single audio track are supported'],
    [[], 'no valid tracks found'],
  ])('%j → %s', (kinds, problem) => {
    expect(checkOfferTracks(offer(...kinds))).toBe(problem)
  })
})
