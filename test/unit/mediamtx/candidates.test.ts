/** Candidate prediction and the Tailscale lookup, with injected interfaces and an injected `tailscale` CLI. */
import type {NetworkInterfaceInfo} from 'node:os'
import {describe, expect, it} from 'vitest'
import {readMediamtxConfig} from '../../../src/mediamtx/config-read.js'
import {describeCandidate, type Interfaces, predictCandidates} from '../../../src/mediamtx/predicted-candidates.js'
import {findTailscaleAddress} from '../../../src/mediamtx/tailscale.js'
import {parseVersion, type Version} from '../../../src/mediamtx/version.js'

const info = (address: string, family: 'IPv4' | 'IPv6' = 'IPv4'): NetworkInterfaceInfo =>
  ({address, family, netmask: '', mac: '', internal: false, cidr: null}) as NetworkInterfaceInfo
const IFACES: Interfaces = {
  lo: [info('127.0.0.1')],
  eth0: [info('192.168.1.58'), info('fe80::1', 'IPv6')],
  tailscale0: [info('100.101.102.103')],
}
const v = (text: string) => parseVersion(text) as Version
const predict = (yaml: string, version: string, ifaces = IFACES) =>
  predictCandidates(readMediamtxConfig(yaml, 'm.yml').webrtc, v(version), ifaces).map(describeCandidate)

describe('predictCandidates', () => {
  it.each([
    {
      name: 'v1.3.0+ defaults: every interface on the UDP mux port (no IPv6 link-local)',
      yaml: 'webrtc: yes\n',
      version: 'v1.20.1',
      want: ['127.0.0.1:8189/udp (this-host)', '192.168.1.58:8189/udp (lan)', '100.101.102.103:8189/udp (tailnet)'],
    },
    {
      name: 'TCP mux and additional hosts',
      yaml: 'webrtcLocalTCPAddress: :8189\nwebrtcAdditionalHosts: [203.0.113.7, box.example]\nwebrtcIPsFromInterfaces: no\n',
      version: 'v1.20.1',
      want: [
        '203.0.113.7:8189/udp (none)',
        '203.0.113.7:8189/tcp (none)',
        'box.example:8189/udp (unknown)',
        'box.example:8189/tcp (unknown)',
      ],
    },
    {
      name: 'an interface list limits the interfaces',
      yaml: 'webrtcIPsFromInterfacesList: [tailscale0]\n',
      version: 'v1.20.1',
      want: ['100.101.102.103:8189/udp (tailnet)'],
    },
    {
      name: 'STUN and TURN servers that are not clientOnly add srflx and relay candidates',
      yaml: 'webrtcIPsFromInterfaces: no\nwebrtcAdditionalHosts: [1.2.3.4]\nwebrtcICEServers2:\n- url: stun:s:3478\n- url: turn:t:3478?transport=tcp\n- url: turn:c:3478\n  clientOnly: yes\n',
      version: 'v1.20.1',
      want: [
        '1.2.3.4:8189/udp (internet)',
        'srflx via stun:s:3478 (internet)',
        'relay via turn:t:3478?transport=tcp (internet)',
      ],
    },
    {
      name: 'before v1.3.0 without mux: random UDP ports; NAT1To1 IPs replace interface addresses',
      yaml: 'webrtcICEHostNAT1To1IPs: [203.0.113.7]\nwebrtcICEUDPMuxAddress:\nwebrtcICEServers2: []\n',
      version: 'v1.2.0',
      want: ['203.0.113.7:random/udp (none)'],
    },
    {
      name: 'before v1.3.0 a TCP mux means TCP only',
      yaml: 'webrtcICETCPMuxAddress: :8189\nwebrtcICEServers2: []\n',
      version: 'v1.2.0',
      want: ['127.0.0.1:8189/tcp (this-host)', '192.168.1.58:8189/tcp (lan)', '100.101.102.103:8189/tcp (tailnet)'],
    },
  ])('$name', ({yaml, version, want}) => expect(predict(yaml, version)).toEqual(want))
})

describe('findTailscaleAddress', () => {
  it('asks `tailscale ip -4` first', async () => {
    const calls: string[] = []
    const found = await findTailscaleAddress({
      exec: async (file, args) => {
        calls.push([file, ...args].join(' '))
        return {stdout: '100.64.0.7\n'}
      },
      interfaces: () => IFACES,
    })
    expect(found).toEqual({address: '100.64.0.7', source: 'tailscale-cli', interface: null})
    expect(calls).toEqual(['tailscale ip -4'])
  })

  it.each([
    ['not installed', Object.assign(new Error('spawn tailscale ENOENT'), {code: 'ENOENT'})],
    ['timed out', Object.assign(new Error('killed'), {killed: true})],
    ['logged out', Object.assign(new Error('exit 1'), {code: 1})],
  ])('falls back to the interfaces when the CLI is %s', async (_why, error) => {
    const found = await findTailscaleAddress({exec: () => Promise.reject(error), interfaces: () => IFACES})
    expect(found).toEqual({address: '100.101.102.103', source: 'interface', interface: 'tailscale0'})
  })

  it('says what it tried when there is no 100.x address anywhere', async () => {
    await expect(
      findTailscaleAddress({
        exec: () => Promise.reject(Object.assign(new Error('ENOENT'), {code: 'ENOENT'})),
        interfaces: () => ({eth0: [info('192.168.1.58')]}),
      }),
    ).rejects.toMatchObject({
      code: 'E_CHECK_FAILED',
      text: expect.stringContaining('the tailscale CLI is not installed'),
    })
  })
})
