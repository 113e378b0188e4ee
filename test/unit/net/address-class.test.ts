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
    ['[2001:db8::1]', 'public', 'internet'],
    ['::ffff:192.168.1.2', 'private', 'lan'],
    ['203.0.113.7', 'public', 'internet'],
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
