/**
 * What a relay leaves behind: after a guest session and a shutdown, every peer connection, socket and timer
 * the relay (and the stand-ins around it) opened is gone.
 */
import {expect, it} from 'vitest'
import {createSyntheticSource} from '../../../src/media/synthetic.js'
import {startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {eventually, loopbackPeer} from '../../support/peers.js'
import {expectNothingLeft, snapshot} from '../../support/resources.js'
import {startLoopbackStandin, startTestRelay} from '../../support/stack.js'

const TOKEN = 'guest-token-0123456789abcdef'

it('frees every socket and timer after a session and a graceful shutdown', async () => {
  const before = snapshot()
  const calls = await startCallsEmulator({apps: new Map([['app-1', 'calls-secret-0123456789']])})
  const mediamtx = await startLoopbackStandin()
  const relay = await startTestRelay({
    apiBase: calls.apiBase,
    appId: 'app-1',
    appSecret: 'calls-secret-0123456789',
    mediamtx,
    token: TOKEN,
  })
  const guest = loopbackPeer()
  const video = createSyntheticSource({codec: 'vp8'})
  guest.addTransceiver(video.track, {direction: 'sendonly'})
  await guest.setLocalDescription(await guest.createOffer())
  const response = await fetch(`${relay.url}/whip/leak-check`, {
    method: 'POST',
    headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
    body: guest.localDescription?.sdp ?? '',
  })
  expect(response.status).toBe(201)
  await guest.setRemoteDescription({type: 'answer', sdp: await response.text()})
  await eventually(() => relay.engine.list()[0]?.state === 'live', 'live', 20_000)

  // SIGTERM-style shutdown with the guest still live: the relay deletes the MediaMTX session itself.
  await relay.close()
  expect(relay.engine.list()).toEqual([])
  await eventually(() => mediamtx.sessions().length === 0, 'the MediaMTX session to be deleted')
  expect(
    calls.inspect().flatMap((s) => s.tracks.filter((t) => t.location === 'remote' && t.status === 'active')),
  ).toEqual([])

  video.stop()
  await guest.close()
  await mediamtx.close()
  await calls.close()
  await expectNothingLeft(before)
})
