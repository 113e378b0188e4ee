/** The stand-in's two network modes: which peer settings and which remote candidates each allows. */
import {describe, expect, it} from 'vitest'
import {remoteAllowed, SESSION_PORT_SPAN, sessionPeerConfig} from '../../../../src/sim/mediamtx/network.js'

describe('stand-in network modes', () => {
  it.each([
    ['loopback', '127.0.0.1', true],
    ['loopback', '192.168.1.58', false],
    ['loopback', 'abc.local', false],
    ['interfaces', '192.168.1.58', true],
    ['interfaces', '198.18.0.3', true],
    ['interfaces', '2001:db8::1', true],
    ['interfaces', 'abc.local', false],
    ['interfaces', 'box.example.com', false],
  ] as const)('%s mode: remote candidate %s allowed: %s', (mode, address, allowed) => {
    expect(remoteAllowed(mode)(address)).toBe(allowed)
  })

  it('loopback mode binds 127.0.0.1 and pairs only with loopback', () => {
    const config = sessionPeerConfig('loopback', 8189)
    expect(config.iceInterfaceAddresses).toEqual({udp4: '127.0.0.1'})
    expect(config.icePortRange).toBeUndefined()
    expect(config.iceFilterCandidatePair).toBeTypeOf('function')
  })

  it('interfaces mode binds every interface, on a port from webrtcLocalUDPAddress upward, and pairs with anything', () => {
    const config = sessionPeerConfig('interfaces', 8189)
    expect(config.iceInterfaceAddresses).toEqual({udp4: '0.0.0.0'})
    expect(config.icePortRange).toEqual([8189, 8189 + SESSION_PORT_SPAN - 1])
    expect(config.iceFilterCandidatePair).toBeUndefined()
    expect(sessionPeerConfig('interfaces', undefined).icePortRange).toBeUndefined()
  })
})
