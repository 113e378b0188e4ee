import {describe, expect, it} from 'vitest'
import {classifyAddress, isLoopbackAddress} from '../../../src/net/address-class.js'

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback', 'this-host'],
    ['::1', 'loopback', 'this-host'],
    ['192.168.1.58', 'private', 'lan'],
    ['10.0.0.7', 'private', 'lan'],
    ['172.16.0.1', 'private', 'lan'],
    ['172.31.255.255', 'private', 'lan'],
    ['172.32.0.1', 'public', 'internet'],
    ['100.64.0.1', 'cgnat', 'tailnet'],
    ['100.101.102.103', 'cgnat', 'tailnet'],
    ['100.128.0.1', 'public', 'internet'],
    ['169.254.3.4', 'link-local', 'lan'],
    ['fe80::1%eth0', 'link-local', 'lan'],
    ['fd7a:115c:a1e0::1', 'ula', 'lan'],
    ['2606:4700::1', 'public', 'internet'],
    ['[2001:db8::1]', 'documentation', 'none'],
    ['::ffff:192.168.1.2', 'private', 'lan'],
    ['8.8.8.8', 'public', 'internet'],
    ['100.63.255.255', 'public', 'internet'],
    ['100.127.255.255', 'cgnat', 'tailnet'],
    ['172.15.255.255', 'public', 'internet'],
    // IANA special-purpose ranges: documentation is routed nowhere, never "internet".
    ['192.0.2.2', 'documentation', 'none'],
    ['198.51.100.1', 'documentation', 'none'],
    ['203.0.113.7', 'documentation', 'none'],
    ['203.0.114.1', 'public', 'internet'],
    ['3fff::1', 'documentation', 'none'],
    ['::ffff:203.0.113.1', 'documentation', 'none'],
    // Benchmarking ranges stand in for the internet in test networks (the lab, the tests' STUN address).
    ['198.18.0.1', 'benchmarking', 'internet'],
    ['198.19.255.255', 'benchmarking', 'internet'],
    ['198.20.0.1', 'public', 'internet'],
    ['2001:2::1', 'benchmarking', 'internet'],
    ['192.0.0.8', 'reserved', 'none'],
    ['240.0.0.1', 'reserved', 'none'],
    ['255.255.255.255', 'reserved', 'none'],
    ['100::1', 'reserved', 'none'],
    ['::ffff:127.0.0.1', 'loopback', 'this-host'],
    ['64:ff9b::1', 'unspecified', 'none'],
    ['0.0.0.0', 'unspecified', 'none'],
    ['::', 'unspecified', 'none'],
    ['239.1.1.1', 'multicast', 'none'],
    ['4f1d2c3a-aaaa-bbbb-cccc-0123456789ab.local', 'mdns', 'lan'],
    ['turn.example.net', 'hostname', 'unknown'],
  ])('%s is %s (%s)', (address, category, scope) => {
    expect(classifyAddress(address)).toMatchObject({category, scope})
  })

  it.each([
    ['127.0.0.53', true],
    ['localhost', true],
    ['[::1]', true],
    ['192.168.1.1', false],
  ])('isLoopbackAddress(%s) = %s', (address, want) => expect(isLoopbackAddress(address)).toBe(want))
})
