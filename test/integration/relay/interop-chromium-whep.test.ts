/**
 * The relay's guest page in headless Chromium (Debian chromium), with the relay in whep mode: Chromium publishes
 * to the Calls emulator through the relay's WHIP front, and the MediaMTX stand-in pulls the media straight from
 * Calls over WHEP (no WHIP session into MediaMTX, no media in the relay). Leave removes the path. Runs in a
 * private network namespace with loopback only, like the forward-mode interop test.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'
import {type ChromiumHarness, chromiumMissing, startChromiumHarness} from '../../support/chromium.js'

const PATH = 'chromium-whep'
let harness: ChromiumHarness | undefined

beforeAll(async () => {
  if (chromiumMissing().length === 0) harness = await startChromiumHarness(30_000, {relayMode: 'whep'})
})
afterAll(async () => {
  await harness?.close()
})

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (ok(value)) return value
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n${JSON.stringify(value)}\n${await harness?.log()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

it('brings Chromium’s camera and microphone into MediaMTX through a WHEP pull from Calls, and Leave ends it', async () => {
  expect(chromiumMissing(), 'the Chromium interop test needs these').toEqual([])
  const h = harness as ChromiumHarness
  await h.open(PATH)
  await h.join()
  const snap = () => h.snapshot(PATH)
  const live = await until(
    'the page connected and the MediaMTX path ready with bytes',
    snap,
    (s) => s.page.state === 'Connection: connected' && s.path?.ready === true && s.path.inboundBytes > 0,
    40_000,
  )
  const later = await until(
    'the path bytes to grow',
    snap,
    (s) => (s.path?.inboundBytes ?? 0) > (live.path?.inboundBytes ?? 0),
    15_000,
  )
  expect(later.path?.tracks.sort()).toEqual(['Opus', 'VP8'])
  // No WHIP session into MediaMTX: the path's source is MediaMTX's own WHEP pull.
  expect(later.mediamtx).toEqual([])
  expect(later.relay).toMatchObject([{path: PATH, media: {mode: 'whep'}}])
  await h.leave()
  await until('the path to be removed', snap, (s) => s.path === null && s.relay.length === 0, 15_000)
})
