/**
 * werift lists every interface address as a host candidate and probes them all unless told otherwise; on
 * this machine that means traffic to 192.0.2.2 and fd00::2. createPeer({hostAddresses}) must keep a peer to
 * the given addresses. The network guard (test/support/network-guard.ts) fails this file on any other traffic.
 */
import {afterEach, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {isLoopbackAddress} from '../../../src/net/address-class.js'
import {connectPeers, loopbackPeer} from '../../support/peers.js'

const peers: RTCPeerConnection[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((pc) => pc.close()))
})

it('connects two werift peers with host candidates on loopback only', async () => {
  const a = loopbackPeer()
  const b = loopbackPeer()
  peers.push(a, b)
  a.addTransceiver('video', {direction: 'sendonly'})
  await connectPeers(a, b)
  for (const pc of [a, b]) {
    const addresses = [...(pc.localDescription?.sdp ?? '').matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map(
      (m) => m[1],
    )
    expect(addresses.length).toBeGreaterThan(0)
    expect(addresses.every((address) => isLoopbackAddress(address ?? ''))).toBe(true)
  }
  expect(isLoopbackAddress(a.iceTransports[0]?.connection.nominated?.remoteCandidate.host ?? '')).toBe(true)
})
