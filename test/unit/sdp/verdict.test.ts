import {describe, expect, it} from 'vitest'
import {classifyAddress} from '../../../src/net/address-class.js'
import {reachabilityVerdict, type VerdictScope} from '../../../src/sdp/verdict.js'

const c = (address: string, type: 'host' | 'srflx' | 'relay' = 'host', port = 8189, transport = 'udp') => {
  const k = classifyAddress(address)
  return {label: `${address}:${port}/${transport}`, type, category: k.category, scope: k.scope}
}

describe('reachability verdict', () => {
  it.each<[string, ReturnType<typeof c>[], VerdictScope, RegExp]>([
    [
      'LAN only',
      [c('127.0.0.1'), c('192.168.1.58')],
      'lan',
      /only 192\.168\.1\.58:8189\/udp — a guest outside this LAN cannot reach it, even with TURN/,
    ],
    [
      'LAN and tailnet',
      [c('192.168.1.58'), c('100.64.0.5')],
      'lan+tailnet',
      /\(this LAN\) and 100\.64\.0\.5:8189\/udp \(tailnet\)/,
    ],
    ['tailnet only', [c('100.101.1.2')], 'lan+tailnet', /only devices on the tailnet/],
    ['public host', [c('192.168.1.58'), c('8.8.8.8')], 'anywhere', /public address 8\.8\.8\.8:8189\/udp/],
    [
      'server-side TURN relay',
      [c('192.168.1.58'), c('8.8.8.8', 'relay', 50000)],
      'anywhere',
      /TURN relay candidate 8\.8\.8\.8:50000\/udp — guests whose client has a TURN server can publish from anywhere that reaches the TURN server \(a guest without STUN or TURN cannot/,
    ],
    [
      'srflx from STUN',
      [c('192.168.1.58'), c('9.9.9.9', 'srflx', 40000)],
      'anywhere',
      /public address 9\.9\.9\.9:40000/,
    ],
    ['loopback only', [c('127.0.0.1')], 'this-host', /only loopback 127\.0\.0\.1:8189\/udp/],
    ['no candidates', [], 'none', /no usable ICE candidate/],
    ['host names only', [c('box.example.com')], 'none', /only host names \(box\.example\.com:8189\/udp\)/],
    ['mDNS only', [c('abc.local')], 'lan', /mDNS/],
    ['IPv6 ULA', [c('fd00::5')], 'lan', /a guest outside this LAN/],
  ])('%s → %s', (_name, candidates, scope, text) => {
    const verdict = reachabilityVerdict(candidates, {server: 'MediaMTX'})
    expect(verdict.scope).toBe(scope)
    expect(verdict.text).toMatch(text)
    if (scope === 'anywhere') expect(verdict.fix).toBeNull()
    else expect(verdict.fix).toBeTruthy()
  })

  it('never calls a documentation address reachable from anywhere: set aside, said so', () => {
    const verdict = reachabilityVerdict([c('192.168.1.58'), {...c('203.0.113.5'), documentation: true}])
    expect(verdict.scope).toBe('lan')
    expect(verdict.text).toContain('Documentation addresses (203.0.113.5:8189/udp) are never routable: not tried')
    const only = reachabilityVerdict([{...c('198.51.100.7'), documentation: true}])
    expect(only.scope).toBe('none')
  })

  it('counts a candidate once for both components', () => {
    const verdict = reachabilityVerdict([c('192.168.1.58'), c('192.168.1.58')])
    expect(verdict.text).toBe(
      'The server advertises only 192.168.1.58:8189/udp — a guest outside this LAN cannot reach it, even with TURN on the guest side.',
    )
    expect(verdict.fix).toContain('r58 mediamtx configure --turn')
  })
})
