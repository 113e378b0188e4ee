/**
 * Headless Chromium (Debian's `chromium` package, driven by playwright-core) for interop tests, kept off every
 * network but loopback. Chromium is a child process, which test/support/network-guard.ts cannot see, so the
 * guarantee comes from where it runs: `startChromiumHarness()` starts test/support/chromium-harness.ts in a
 * private network namespace (`unshare --net`) whose only interface is `lo`, together with the servers it talks
 * to. There is no route to anything else, so no packet can leave, whatever Chromium tries; the switches below
 * keep it from trying (no Google services, no DNS, no mDNS candidates), and the harness reports the namespace's
 * interfaces and the candidates Chromium offered so the test can check both.
 *
 * The test talks to the harness over its stdin/stdout (one JSON object a line): the namespace has its own
 * network stack, so nothing in it is reachable from the test process by TCP or UDP.
 */
import {spawnSync} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {startNamespaceHarness} from './namespace-harness.js'

export const CHROMIUM_PATH = process.env['R58_CHROMIUM'] ?? '/usr/bin/chromium'

const INSTALL_HINT = 'install it with `sudo apt-get install chromium` (or run `sudo .ci/interop-deps.sh`, as CI does)'

/** What this machine lacks to run the Chromium interop test, each with how to get it. */
export function chromiumMissing(): string[] {
  const out: string[] = []
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK)
  } catch {
    out.push(`Chromium at ${CHROMIUM_PATH}: ${INSTALL_HINT}`)
  }
  if (spawnSync('sh', ['-c', 'command -v unshare && command -v ip']).status !== 0) {
    out.push('unshare and ip: `sudo apt-get install util-linux iproute2`')
  }
  return out
}

/**
 * Every switch Chromium gets (playwright's defaults are ignored so that this list is the whole command line,
 * and so that `--disable-features` is not given twice: Chromium keeps only the last one).
 */
export function chromiumArgs(userDataDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--mute-audio',
    '--hide-scrollbars',
    `--user-data-dir=${userDataDir}`,
    '--remote-debugging-pipe',
    '--no-startup-window',
    // No background traffic: Google services, updates, metrics, field trials, first-run and sync.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-breakpad',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-field-trial-config',
    '--metrics-recording-only',
    '--no-pings',
    '--no-service-autorun',
    '--password-store=basic',
    '--use-mock-keychain',
    '--disable-dev-shm-usage',
    // No name is ever resolved: pages are addressed by IP literal.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    // Fake camera and microphone, permission granted without a prompt.
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    // WebRTC: gather host candidates on loopback (skipped by default), as plain addresses, not mDNS names.
    '--allow-loopback-in-peer-connection',
    [
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      'MediaRouter',
      'DialMediaRouteProvider',
      'OptimizationHints',
      'NetworkTimeServiceQuerying',
      'AimEnabled',
      'PreconnectToSearch',
      'Translate',
      'AutofillServerCommunication',
      'CertificateTransparencyComponentUpdater',
      'InterestFeedContentSuggestions',
    ].join(','),
  ]
}

/** One observation of the whole chain, as chromium-harness.ts reports it. */
export interface ChromiumSnapshot {
  page: {state: string; url: string; joinEnabled: boolean; leaveEnabled: boolean}
  relay: {
    id: string
    path: string
    state: string
    tracks: {kind: string; codec: string}[]
    /** issue 14: whep or forward, and where the media flows. */
    media?: {mode: string; route: string} | undefined
  }[]
  mediamtx: {
    id: string
    pathName: string
    state: string
    tracks: {kind: string; codec: string; packets: number}[]
  }[]
  /** The stand-in's control API, `/v3/paths/get/<path>` (null: 404). */
  path: {name: string; ready: boolean; tracks: string[]; inboundBytes: number} | null
}

export interface HarnessNetwork {
  /** Interfaces of the harness's namespace (from /proc/net/dev). */
  interfaces: string[]
  /** `a=candidate` lines of every offer Chromium posted to the relay. */
  offerCandidates: string[]
}

/** A request the page made, with the relay's status (0: no response). */
export interface PageRequest {
  method: string
  path: string
  status: number
}

export interface ChromiumHarness {
  /** `relay.url` inside the namespace. */
  relayUrl: string
  /** Opens the guest page for `path` (with the harness's token) and waits until it is ready to join. */
  open(path: string): Promise<void>
  /** Presses Join. */
  join(): Promise<void>
  /** Presses Leave and waits for the page to say it left. */
  leave(): Promise<void>
  snapshot(path: string): Promise<ChromiumSnapshot>
  network(): Promise<HarnessNetwork>
  /** Every request the page made so far, in order. */
  requests(): Promise<PageRequest[]>
  /** Everything the harness logged (page console, relay events), for failure messages. */
  log(): Promise<string>
  /** Stops the browser and the servers, then the namespace; kills it after `timeoutMs`. Safe to call twice. */
  close(timeoutMs?: number): Promise<void>
}

/**
 * Starts test/support/chromium-harness.ts in a new network (and PID) namespace and waits until the relay, the
 * Calls emulator, the MediaMTX stand-in and Chromium are up.
 */
export async function startChromiumHarness(
  timeoutMs = 30_000,
  /** issue 14: the relay's mode inside the harness (default forward). */
  options: {relayMode?: 'whep' | 'forward'} = {},
): Promise<ChromiumHarness> {
  const {ready, call, close} = await startNamespaceHarness('test/support/chromium-harness.ts', timeoutMs, {
    R58_HARNESS_RELAY_MODE: options.relayMode ?? 'forward',
  })
  return {
    relayUrl: ready,
    open: (path) => call('open', path),
    join: () => call('join'),
    leave: () => call('leave'),
    snapshot: (path) => call('snapshot', path),
    network: () => call('network'),
    requests: () => call('requests'),
    log: () => call('log'),
    close,
  }
}
