import {afterEach, expect, it} from 'vitest'
import {RTCPeerConnection} from 'werift'
import {isLoopbackAddress} from '../../../src/net/address-class.js'
import {peerNetworkConfig, scopeSdp} from '../../../src/webrtc/network.js'

const peers: RTCPeerConnection[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((pc) => pc.close()))
})

// The network guard (test/support/network-guard.ts) fails this file if any datagram goes elsewhere.
it('connects two werift peers in loopback scope without sending a datagram anywhere else', async () => {
  {
    const config = {iceServers: [], ...peerNetworkConfig('loopback')}
    const a = new RTCPeerConnection(config)
    const b = new RTCPeerConnection(config)
    peers.push(a, b)
    a.addTransceiver('video', {direction: 'sendonly'})
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription({type: 'offer', sdp: scopeSdp(a.localDescription?.sdp ?? '', 'loopback')})
    await b.setLocalDescription(await b.createAnswer())
    const answer = scopeSdp(b.localDescription?.sdp ?? '', 'loopback')
    expect(answer).not.toMatch(/typ host.*\b192\.0\.2\./)
    await a.setRemoteDescription({type: 'answer', sdp: answer})
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not connected within 10 s')), 10_000)
      a.connectionStateChange.subscribe((state) => {
        if (state === 'connected') {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const pair = a.iceTransports[0]?.connection.nominated
    expect(isLoopbackAddress(pair?.remoteCandidate.host ?? '')).toBe(true)
  }
})

it.each([
  ['a=candidate:1 1 udp 2 127.0.0.1 5000 typ host', true],
  ['a=candidate:1 1 udp 2 192.0.2.2 5000 typ host', false],
  ['a=candidate:1 1 udp 2 fd00::2 5000 typ host', false],
  ['a=candidate:1 1 udp 2 127.0.0.1 6000 typ relay raddr 127.0.0.1 rport 5', true],
  ['a=mid:0', true],
])('scopeSdp keeps %s: %s', (line, kept) => {
  expect(scopeSdp(`v=0\r\n${line}\r\n`, 'loopback').includes(line)).toBe(kept)
  expect(scopeSdp(`v=0\r\n${line}\r\n`, 'any').includes(line)).toBe(true)
})
