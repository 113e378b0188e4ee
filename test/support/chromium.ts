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
import {spawn, spawnSync} from 'node:child_process'
import {accessSync, constants, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {createInterface} from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../..')

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

const CALL_TIMEOUT_MS = 30_000

/**
 * Starts the harness in a new network (and PID) namespace and waits until the relay, the Calls emulator, the
 * MediaMTX stand-in and Chromium are up. Killing the namespace's first process kills everything in it.
 */
export function startChromiumHarness(
  timeoutMs = 30_000,
  /** issue 14: the relay's mode inside the harness (default forward). */
  options: {relayMode?: 'whep' | 'forward'} = {},
): Promise<ChromiumHarness> {
  const asRoot = process.getuid?.() === 0
  const args = [
    ...(asRoot ? [] : ['--map-root-user']),
    '--net',
    '--pid',
    '--fork',
    '--kill-child',
    process.execPath,
    '--import',
    'tsx',
    join(ROOT, 'test/support/chromium-harness.ts'),
  ]
  // Every temporary file of the harness, playwright and Chromium goes here, removed even after a SIGKILL.
  const tmp = mkdtempSync(join(tmpdir(), 'r58-chromium-'))
  const env = {...process.env, TMPDIR: tmp, R58_HARNESS_RELAY_MODE: options.relayMode ?? 'forward'}
  const child = spawn('unshare', args, {cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env})
  const pending = new Map<number, {resolve: (v: unknown) => void; reject: (e: Error) => void}>()
  let stderr = ''
  let nextId = 1
  let exited = false
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8000)
  })
  let ready: ((url: string) => void) | undefined
  let failed: ((error: Error) => void) | undefined
  const started = new Promise<string>((resolve, reject) => {
    ready = resolve
    failed = reject
  })
  const exit = new Promise<void>((resolve) => {
    const done = () => {
      if (exited) return
      exited = true
      rmSync(tmp, {recursive: true, force: true})
      for (const {reject} of pending.values()) reject(new Error(`the Chromium harness exited\n${stderr}`))
      pending.clear()
      resolve()
    }
    child.once('exit', done)
    child.once('error', (error) => {
      failed?.(new Error(`cannot start unshare: ${error.message}`))
      done()
    })
  })
  createInterface({input: child.stdout as NodeJS.ReadableStream}).on('line', (line) => {
    if (!line.startsWith('@r58 ')) return
    let message: {id?: number; ready?: string; result?: unknown; error?: string}
    try {
      message = JSON.parse(line.slice(5)) as typeof message
    } catch {
      return
    }
    if (message.ready !== undefined) ready?.(message.ready)
    else if (message.id === undefined) failed?.(new Error(`the Chromium harness did not start: ${message.error}`))
    else {
      const call = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) call?.reject(new Error(message.error))
      else call?.resolve(message.result)
    }
  })
  void exit.then(() => failed?.(new Error(`the Chromium harness exited before it was ready\n${stderr}`)))

  const call = <T>(op: string, arg?: unknown): Promise<T> => {
    if (exited) return Promise.reject(new Error(`the Chromium harness has exited\n${stderr}`))
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`the Chromium harness did not answer ${op} within ${CALL_TIMEOUT_MS} ms`))
      }, CALL_TIMEOUT_MS)
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value as T)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      child.stdin?.write(`${JSON.stringify({id, op, arg})}\n`)
    })
  }

  let closing: Promise<void> | undefined
  const close = (closeTimeoutMs = 15_000): Promise<void> => {
    closing ??= (async () => {
      if (!exited) child.stdin?.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), closeTimeoutMs)
      await exit
      clearTimeout(timer)
    })()
    return closing
  }

  return new Promise<ChromiumHarness>((resolve, reject) => {
    const timer = setTimeout(
      () => failed?.(new Error(`the Chromium harness was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    )
    started.then(
      (relayUrl) => {
        clearTimeout(timer)
        resolve({
          relayUrl,
          open: (path) => call('open', path),
          join: () => call('join'),
          leave: () => call('leave'),
          snapshot: (path) => call('snapshot', path),
          network: () => call('network'),
          requests: () => call('requests'),
          log: () => call('log'),
          close,
        })
      },
      (error: Error) => {
        clearTimeout(timer)
        void close(2000).then(() => reject(new Error(`${error.message}\n${stderr}`)))
      },
    )
  })
}
