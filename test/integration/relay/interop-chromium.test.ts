/**
 * Interop with a WHIP publisher this project did not write: headless Chromium (Debian's `chromium` package,
 * driven by playwright-core) opens the relay's own guest page with a fake camera and microphone and presses
 * Join; the media must reach the MediaMTX stand-in through the Calls emulator, and Leave must end it all.
 * Chromium, the relay, the emulator and the stand-in run in a private network namespace with loopback only
 * (test/support/chromium.ts explains why). `.ci/interop-deps.sh` installs Chromium; without it this test
 * fails with that instruction (it is never skipped).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isLoopbackAddress} from '../../../src/net/address-class.js'
import {
  type ChromiumHarness,
  type ChromiumSnapshot,
  chromiumMissing,
  startChromiumHarness,
} from '../../support/chromium.js'

const PATH = 'studio-guest'

let harness: ChromiumHarness | undefined

/** Polls the harness until `condition` holds, or fails after `timeoutMs` with the last snapshot and its log. */
async function until(
  what: string,
  condition: (snapshot: ChromiumSnapshot) => boolean,
  timeoutMs: number,
): Promise<ChromiumSnapshot> {
  const h = harness as ChromiumHarness
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const snapshot = await h.snapshot(PATH)
    if (condition(snapshot)) return snapshot
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}\n${JSON.stringify(snapshot, null, 1)}\n${await h.log().catch(String)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const packets = (snapshot: ChromiumSnapshot) =>
  Object.fromEntries(
    (snapshot.mediamtx.find((s) => s.pathName === PATH)?.tracks ?? []).map((t) => [t.kind, t.packets] as const),
  )

beforeAll(async () => {
  if (chromiumMissing().length === 0) harness = await startChromiumHarness()
})

afterAll(async () => {
  await harness?.close()
})

describe('interop: headless Chromium publishes from the relay guest page (Debian chromium)', () => {
  it('has Chromium installed', () => {
    expect(chromiumMissing(), 'the Chromium interop test needs these').toEqual([])
  })

  it('brings the fake camera and microphone into MediaMTX, shows "Connection: connected", and Leave ends it', async () => {
    expect(chromiumMissing()).toEqual([])
    const h = harness as ChromiumHarness

    await h.open(PATH)
    const ready = await h.snapshot(PATH)
    expect(ready.page).toMatchObject({state: 'Camera ready. Press Join to go live.', joinEnabled: true})
    // The token left the address bar.
    expect(ready.page.url).toBe(`${h.relayUrl}/join/${PATH}`)

    await h.join()
    const live = await until(
      'the page connected, the relay live and the MediaMTX path publishing both tracks',
      (s) =>
        s.page.state === 'Connection: connected' &&
        s.relay.some((r) => r.path === PATH && r.state === 'live') &&
        s.mediamtx.some((m) => m.pathName === PATH && m.state === 'publishing') &&
        (packets(s)['audio'] ?? 0) > 0 &&
        (packets(s)['video'] ?? 0) > 0,
      30_000,
    )
    expect(live.page).toMatchObject({joinEnabled: false, leaveEnabled: true})
    expect(live.relay).toHaveLength(1)
    expect(live.relay[0]?.tracks.map((t) => t.codec).sort()).toEqual(['Opus', 'VP8'])
    const session = live.mediamtx.find((m) => m.pathName === PATH)
    expect(session?.tracks.map((t) => `${t.kind}:${t.codec}`).sort()).toEqual(['audio:Opus', 'video:VP8'])

    // Media keeps flowing: both tracks' packet counts and the path's inbound bytes (from the API, sampled at
    // another moment of the snapshot) grow.
    const later = await until(
      "the packet counts of both tracks and the path's inbound bytes to grow",
      (s) =>
        (packets(s)['audio'] ?? 0) > (packets(live)['audio'] ?? 0) &&
        (packets(s)['video'] ?? 0) > (packets(live)['video'] ?? 0) &&
        (s.path?.inboundBytes ?? 0) > (live.path?.inboundBytes ?? 0),
      15_000,
    )
    expect(later.mediamtx.find((m) => m.pathName === PATH)?.id).toBe(session?.id)
    expect(later.page.state).toBe('Connection: connected')
    expect(later.path).toMatchObject({name: PATH, ready: true})
    expect(later.path?.tracks.sort()).toEqual(['Opus', 'VP8'])
    expect(later.path?.inboundBytes ?? 0).toBeGreaterThan(live.path?.inboundBytes ?? 0)

    // Chromium offered loopback candidates only, from a namespace that has nothing but loopback.
    const network = await h.network()
    expect(network.interfaces).toEqual(['lo'])
    expect(network.offerCandidates.length).toBeGreaterThan(0)
    for (const candidate of network.offerCandidates) {
      expect(isLoopbackAddress(candidate.split(' ')[4] ?? ''), candidate).toBe(true)
    }

    await h.leave()
    const left = await h.snapshot(PATH)
    expect(left.page).toMatchObject({state: 'Left. Press Join to go live again.', joinEnabled: true})
    expect(left.relay).toEqual([])
    await until('the MediaMTX session to end', (s) => s.mediamtx.length === 0 && s.path === null, 10_000)

    // The page spoke WHIP: OPTIONS, POST (201) and, on Leave, DELETE (200); CSP let it do so.
    const whip = (await h.requests()).filter((r) => r.path.startsWith('/whip/'))
    expect(whip.map((r) => `${r.method} ${r.status}`)).toEqual(['OPTIONS 204', 'POST 201', 'DELETE 200'])
    expect(whip[2]?.path).toMatch(new RegExp(`^/whip/${PATH}/session/[A-Za-z0-9_-]{22}$`))
    expect(await h.log()).not.toMatch(/Content Security Policy|uncaught/)
  })
})
