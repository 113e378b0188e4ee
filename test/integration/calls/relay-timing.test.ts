/**
 * The relay's Calls leg under the service's timing: its first pull session is gone (410) before the
 * exchange finishes, the next pull is held 5 s (Calls waiting for a connection), and the answer meets a 429.
 * Bounded retries carry it through, the guest's media reaches MediaMTX, and the log says what happened.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'
import {waitForConnected} from '../../../src/media/peer.js'
import {createSyntheticSource} from '../../../src/media/synthetic.js'
import type {RunningRelay} from '../../../src/relay/relay-server.js'
import type {CallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import type {MediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import type {LogEvent} from '../../../src/util/log.js'
import {APP, startEmulator, waitFor} from '../../support/calls.js'
import {type CallsFaultProxy, isPull, startCallsFaultProxy} from '../../support/calls-faults.js'
import {loopbackPeer} from '../../support/peers.js'
import {startLoopbackStandin, startTestRelay} from '../../support/stack.js'

const TOKEN = 'guest-token-0123456789abcdef'
let emulator: CallsEmulator
let proxy: CallsFaultProxy
let mediamtx: MediamtxStandin
let relay: RunningRelay
const events: LogEvent[] = []

beforeAll(async () => {
  emulator = await startEmulator()
  proxy = await startCallsFaultProxy(emulator, [
    {name: '410 on the first pull', when: isPull, expireSession: true},
    {name: 'the second pull held 5 s', when: isPull, delayMs: 5000},
    {name: '429 on the answer', when: (r) => r.route === 'sessions/{id}/renegotiate', status429: true},
  ])
  mediamtx = await startLoopbackStandin()
  relay = await startTestRelay({
    apiBase: proxy.apiBase,
    appId: APP.id,
    appSecret: APP.secret,
    mediamtx,
    token: TOKEN,
    log: (event) => events.push(event),
  })
})

afterAll(async () => {
  await relay?.close()
  await mediamtx?.close()
  await proxy?.close()
  await emulator?.close()
})

it('replaces a gone pull session, waits out a held pull and a 429, and brings the guest into MediaMTX', async () => {
  const pc = loopbackPeer()
  const video = createSyntheticSource({codec: 'vp8', keyframeIntervalMs: 500})
  video.attach(pc.addTransceiver(video.track, {direction: 'sendonly'}).sender)
  try {
    await pc.setLocalDescription(await pc.createOffer())
    const response = await fetch(`${relay.url}/whip/timing`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
      body: pc.localDescription?.sdp ?? '',
    })
    expect(response.status).toBe(201)
    await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
    await waitForConnected(pc, 15_000, 'the guest → Calls connection')
    await waitFor(() => relay.engine.list()[0]?.state === 'live', 'the relay session to go live', 40_000).catch(
      (error: Error) => {
        const state = {guest: pc.connectionState, fired: proxy.fired, emulator: emulator.inspect()}
        throw new Error(
          `${error.message}\n${JSON.stringify(state)}\n${events.map((e) => `${e.event}: ${e.msg}`).join('\n')}`,
        )
      },
    )
    await waitFor(() => (mediamtx.sessions()[0]?.tracks[0]?.packets ?? 0) > 0, 'media in MediaMTX', 20_000)
    expect(proxy.fired).toEqual(['410 on the first pull', 'the second pull held 5 s', '429 on the answer'])
    const names = events.map((e) => e.event)
    expect(names).toContain('relay.pull.retry')
    expect(events.find((e) => e.event === 'relay.pull.retry')?.msg).toMatch(/410/)
    expect(events.some((e) => e.event === 'calls.retry' && e['status'] === 429)).toBe(true)
    expect(names).not.toContain('relay.session.failed')
  } finally {
    video.stop()
    await pc.close()
  }
})
