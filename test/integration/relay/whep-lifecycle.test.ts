/**
 * What whep mode leaves behind: after a guest session pulled by MediaMTX and a graceful relay shutdown, every
 * socket and timer the relay, the stand-in's WHEP pull and the emulator opened is gone, and MediaMTX has no path.
 */
import {expect, it} from 'vitest'
import {createSyntheticSource} from '../../../src/media/synthetic.js'
import {startRelay} from '../../../src/relay/relay-server.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {eventually, loopbackPeer} from '../../support/peers.js'
import {expectNothingLeft, snapshot} from '../../support/resources.js'
import {startLoopbackStandin} from '../../support/stack.js'

const TOKEN = 'guest-token-0123456789abcdef'
const SECRET = 'calls-secret-0123456789'

it('frees every socket and timer after a whep session and a graceful shutdown', async () => {
  const before = snapshot()
  const calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  const mediamtx = await startLoopbackStandin()
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase},
    tokens: parseTokensFile(`* ${TOKEN}\n`, 'test'),
    log: () => {},
    whep: {mode: 'whep', mediamtxApi: {url: mediamtx.apiUrl ?? ''}, whepTimings: {watchMs: 200}},
  })
  expect(relay.mode.mode).toBe('whep')
  const guest = loopbackPeer()
  const video = createSyntheticSource({codec: 'vp8'})
  video.attach(guest.addTransceiver(video.track, {direction: 'sendonly'}).sender)
  await guest.setLocalDescription(await guest.createOffer())
  const response = await fetch(`${relay.url}/whip/leak-check`, {
    method: 'POST',
    headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
    body: guest.localDescription?.sdp ?? '',
  })
  expect(response.status).toBe(201)
  await guest.setRemoteDescription({type: 'answer', sdp: await response.text()})
  await eventually(() => relay.engine.list()[0]?.state === 'live', 'live', 30_000)

  // SIGTERM-style shutdown with the guest still live: the relay removes the MediaMTX path itself.
  await relay.close()
  expect(relay.engine.list()).toEqual([])
  expect((await fetch(`${mediamtx.apiUrl}/v3/config/paths/get/leak-check`)).status).toBe(404)
  await eventually(() => mediamtx.state.paths().length === 0, 'the WHEP pull to stop')
  expect(
    calls.inspect().flatMap((s) => s.tracks.filter((t) => t.location === 'remote' && t.status === 'active')),
  ).toEqual([])

  video.stop()
  await guest.close()
  await mediamtx.close()
  await calls.close()
  await expectNothingLeft(before)
})
