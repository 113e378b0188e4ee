/**
 * Garbage collection and shutdown: tracks without media are collected, lost and never-connected sessions
 * expire (their peer connections closed), and close() leaves no socket, peer connection or timer behind.
 */
import {describe, expect, it} from 'vitest'
import {waitForConnected} from '../../../src/media/peer.js'
import {
  answerWith,
  clientFor,
  createPublisher,
  loopbackPeer,
  pushConnected,
  raw,
  startEmulator,
  waitFor,
} from '../../support/calls.js'

/** Active handles by type (UDP sockets, TCP, timers…), minus stdio. */
function handles(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
  return counts
}

function grown(before: Map<string, number>): string[] {
  const after = handles()
  return [...after]
    .filter(([type, n]) => n > (before.get(type) ?? 0))
    .map(([type, n]) => `${type} ${before.get(type) ?? 0}→${n}`)
}

describe('emulator lifecycle', () => {
  it('collects a silent track, expires its session when the endpoint goes silent, and answers 410 after', async () => {
    let offset = 0
    // Silence is made by moving the emulator's clock, not by waiting: a loaded machine's pauses between packets
    // must not look like silence. 5 s stays under the emulator's minimum session silence (10 s), so the jump
    // collects the track and leaves the session.
    const inactivityMs = 5_000
    const emulator = await startEmulator({inactivityMs, unconnectedExpiryMs: 60_000, now: () => Date.now() + offset})
    const client = clientFor(emulator, {retry: {attempts: 1, trackWaitMs: 0}})
    const publisher = createPublisher(['vp8'])
    try {
      const sessionId = await pushConnected(client, publisher)
      await waitFor(() => (emulator.inspect()[0]?.tracks[0]?.packets ?? 0) > 0, 'media at the emulator')
      for (const source of publisher.sources) source.stop()
      offset += inactivityMs + 1
      emulator.sweep()
      expect(emulator.stats().tracks.collected).toBe(1)
      expect((await client.getSession(sessionId)).tracks?.[0]?.status).toBe('inactive')
      await publisher.pc.close()
      // No consent checks any more: once the silence is long enough, the session is gone.
      offset += 60_000
      emulator.sweep()
      expect(emulator.stats().sessions.expired).toBe(1)
      expect((await raw(emulator, 'GET', `/apps/app-1/sessions/${sessionId}`)).status).toBe(410)
      expect(emulator.stats().peerConnections).toBe(0)
    } finally {
      await publisher.stop()
      await emulator.close()
    }
  })

  it('expires a session that never connects', async () => {
    const emulator = await startEmulator({unconnectedExpiryMs: 200})
    try {
      const client = clientFor(emulator)
      const {sessionId} = await client.newSession()
      // An SFU offer that is never answered: a peer connection exists until the session expires.
      await client.newTracks(sessionId, {tracks: [{location: 'local', trackName: 'x', kind: 'audio'}]})
      expect(emulator.stats().peerConnections).toBe(1)
      await waitFor(() => emulator.stats().sessions.live === 0, 'the unconnected session to expire')
      expect(emulator.stats().peerConnections).toBe(0)
      expect((await raw(emulator, 'GET', `/apps/app-1/sessions/${sessionId}`)).json).toMatchObject({
        errorCode: 'session_error',
      })
    } finally {
      await emulator.close()
    }
  })

  it('frees every socket, peer connection and timer on close', async () => {
    // Let werift and undici finish their one-time setup (certificates, pools) before measuring.
    const warmup = await startEmulator()
    await warmup.close()
    const before = handles()
    const emulator = await startEmulator()
    const client = clientFor(emulator)
    const publisher = createPublisher(['vp8'])
    const subscriber = loopbackPeer()
    const sessionId = await pushConnected(client, publisher)
    const sub = await client.newSession()
    await client.pullTracks(sub.sessionId, {tracks: [{sessionId, trackName: 'cam'}], answer: answerWith(subscriber)})
    await waitForConnected(subscriber, 10_000)
    expect(grown(before).some((g) => g.startsWith('UDPWrap'))).toBe(true)

    await publisher.stop()
    await subscriber.close()
    await emulator.close()
    // Sockets close asynchronously after close() resolves; wait (bounded) until nothing is left over.
    await waitFor(() => grown(before).length === 0, `handles to be released (${grown(before).join(', ')})`, 10_000)
  })
})
