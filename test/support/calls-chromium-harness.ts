/**
 * Runs INSIDE a private network namespace with loopback only (started by startNamespaceHarness() for
 * test/integration/sim/calls-sfu/interop-chromium.test.ts): the Calls emulator, a server for calls-page.html and headless
 * Chromium on 127.0.0.1. The test plays the backend of Cloudflare's connection patterns through three
 * operations: `page` runs one of the page's WebRTC helpers, `calls` calls the typed CallsClient against the
 * emulator, `inspect` shows the emulator's sessions. stdin closing (or SIGTERM) stops everything.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import type {Page} from 'playwright-core'
import {CallsClient} from '../../src/calls/calls-client.js'
import {startCallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import {type HarnessOps, openChromiumPage, runHarnessChild} from './harness-child.js'

const APP_ID = 'app-1'
const SECRET = 'calls-secret-0123456789'
const STEP_MS = 20_000
const PAGE = readFileSync(join(import.meta.dirname, 'calls-page.html'))

runHarnessChild(async (child) => {
  const {note, log, cleanup} = child
  execFileSync('ip', ['link', 'set', 'lo', 'up'])
  const emulator = await startCallsEmulator({
    apps: new Map([[APP_ID, SECRET]]),
    log: (event) => {
      if (event.level !== 'debug') note(`[emulator] ${event.level} ${event.event}: ${event.msg}`)
    },
  })
  cleanup(() => emulator.close())
  const client = new CallsClient({
    appId: APP_ID,
    appSecret: SECRET,
    apiBase: emulator.apiBase,
    log: (event) => note(`[client] ${event.level} ${event.event}: ${event.msg}`),
  })
  const pages = createServer((_req, res) => {
    res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(PAGE)
  })
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve))
  cleanup(() => new Promise((resolve) => pages.close(resolve)))

  // Three simulcast layers from a 640×360 picture (Chromium's default allows two at that size).
  const page: Page = await openChromiumPage(child, STEP_MS, [
    '--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/',
  ])
  await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/`)

  const ops: HarnessOps = {
    page: async (arg) => {
      const {fn, args} = arg as {fn: string; args: unknown[]}
      return page.evaluate(
        ([name, values]) => {
          const helpers = (globalThis as unknown as {r58: Record<string, (...a: unknown[]) => unknown>}).r58
          const helper = helpers[name as string]
          if (!helper) throw new Error(`the page has no helper ${name}`)
          return helper(...(values as unknown[]))
        },
        [fn, args] as const,
      )
    },
    calls: async (arg) => {
      const {method, args} = arg as {method: string; args: unknown[]}
      const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]
      if (typeof fn !== 'function') throw new Error(`CallsClient has no method ${method}`)
      return fn.apply(client, args)
    },
    inspect: async () => emulator.inspect(),
    log: async () => log(),
  }

  return {ready: emulator.apiBase, ops}
})
