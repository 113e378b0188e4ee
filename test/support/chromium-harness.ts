/**
 * Runs INSIDE a private network namespace whose only interface is loopback (`unshare --net --pid`, started by
 * `startChromiumHarness()` in chromium.ts): the Calls emulator, the MediaMTX stand-in, the relay and headless
 * Chromium, all on 127.0.0.1. The test drives it over stdin/stdout: one JSON request a line in, one `@r58 `
 * JSON line out per answer. stdin closing (or SIGTERM) stops everything; this process is the namespace's
 * first, so its exit also ends whatever Chromium left behind.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import type {Page, Request} from 'playwright-core'
import {startRelay} from '../../src/relay/relay-server.js'
import {parseTokensFile} from '../../src/relay/tokens.js'
import {startCallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import {startMediamtxStandin} from '../../src/sim/mediamtx/standin-server.js'
import type {ChromiumSnapshot, HarnessNetwork, PageRequest} from './chromium.js'
import {type HarnessOps, openChromiumPage, runHarnessChild} from './harness-child.js'

const TOKEN = 'guest-token-0123456789abcdef'
const SECRET = 'calls-secret-0123456789'
const STEP_MS = 15_000
const MEDIAMTX_YML = `webrtc: yes
webrtcLocalUDPAddress: :8189
webrtcIPsFromInterfaces: yes
webrtcAdditionalHosts: []
webrtcICEServers2: []
paths:
  all_others:
`

const offerCandidates: string[] = []
const requests: PageRequest[] = []

/** The namespace's network interfaces (/proc/net/dev). */
function interfaces(): string[] {
  return readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '')
}

runHarnessChild(async (child) => {
  const {note, log, cleanup} = child
  execFileSync('ip', ['link', 'set', 'lo', 'up'])

  const calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  cleanup(() => calls.close())
  const mediamtx = await startMediamtxStandin({
    configText: MEDIAMTX_YML,
    whipPort: 0,
    apiPort: 0,
    interfaces: [{name: 'lo', address: '127.0.0.1'}],
  })
  cleanup(() => mediamtx.close())
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: 'app-1', appSecret: SECRET, apiBase: calls.apiBase},
    target: `${mediamtx.whipUrl}/{path}/whip`,
    tokens: parseTokensFile(`* ${TOKEN}\n`, 'tokens'),
    stunUrls: [],
    ratePerSecond: 1000,
    log: (event) => note(`[relay] ${event.level} ${event.event}: ${event.msg}`),
    // issue 14: whep mode when the test asks for it (MediaMTX then pulls the guest from Calls).
    ...(process.env['R58_HARNESS_RELAY_MODE'] === 'whep' && {
      whep: {mode: 'whep' as const, mediamtxApi: {url: mediamtx.apiUrl ?? ''}},
    }),
  })
  cleanup(() => relay.close())

  const page: Page = await openChromiumPage(child, STEP_MS)
  // Chromium reports a fetch whose (even empty) body the page never reads, like the page's DELETE, as aborted
  // after its response: only requests without any response count as failed.
  const answered = new WeakSet<Request>()
  page.on('response', (response) => {
    answered.add(response.request())
    const {pathname} = new URL(response.url())
    requests.push({method: response.request().method(), path: pathname, status: response.status()})
    if (response.status() >= 400) note(`[page] ${response.request().method()} ${pathname} → ${response.status()}`)
  })
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !new URL(request.url()).pathname.startsWith('/whip/')) return
    offerCandidates.push(...(request.postData() ?? '').split(/\r?\n/).filter((line) => line.startsWith('a=candidate:')))
  })
  page.on('requestfailed', (request) => {
    if (answered.has(request)) return
    requests.push({method: request.method(), path: new URL(request.url()).pathname, status: 0})
    note(`[page] ${request.method()} ${request.url()} failed: ${request.failure()?.errorText}`)
  })

  const state = () =>
    page
      .locator('#state')
      .textContent()
      .then((text) => text ?? '')
  const ops: HarnessOps = {
    open: async (path) => {
      await page.goto(`${relay.url}/join/${path}?token=${TOKEN}`)
      await page
        .locator('#join:not([disabled])')
        .waitFor()
        .catch(async () => {
          throw new Error(`the page is not ready to join: "${await state()}"`)
        })
    },
    join: () => page.locator('#join').click(),
    leave: async () => {
      await page.locator('#leave').click()
      await page.getByText('Left. Press Join to go live again.').waitFor()
    },
    snapshot: async (path): Promise<ChromiumSnapshot> => {
      const response = await fetch(`${mediamtx.apiUrl}/v3/paths/get/${path}`, {signal: AbortSignal.timeout(5000)})
      return {
        page: {
          state: await state(),
          url: page.url(),
          joinEnabled: await page.locator('#join').isEnabled(),
          leaveEnabled: await page.locator('#leave').isEnabled(),
        },
        relay: relay.engine.list().map(({id, path, state, tracks, media}) => ({id, path, state, tracks, media})),
        mediamtx: mediamtx.sessions().map((s) => ({
          id: s.id,
          pathName: s.pathName,
          state: s.state,
          tracks: s.tracks.map(({kind, codec, packets}) => ({kind, codec, packets})),
        })),
        path: response.status === 200 ? ((await response.json()) as ChromiumSnapshot['path']) : null,
      }
    },
    network: async (): Promise<HarnessNetwork> => ({interfaces: interfaces(), offerCandidates}),
    requests: async () => requests,
    log: async () => log(),
  }

  return {ready: relay.url, ops}
})
