/**
 * Runs INSIDE a private network namespace with loopback only (started by startNamespaceHarness() for
 * test/integration/calls/interop-chromium.test.ts): the Calls emulator, a server for calls-page.html and headless
 * Chromium on 127.0.0.1. The test plays the backend of Cloudflare's connection patterns through three
 * operations: `page` runs one of the page's WebRTC helpers, `calls` calls the typed CallsClient against the
 * emulator, `inspect` shows the emulator's sessions. stdin closing (or SIGTERM) stops everything.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {type Browser, chromium, type Page} from 'playwright-core'
import {CallsClient} from '../../src/calls/client.js'
import {startCallsEmulator} from '../../src/calls/emulator/server.js'
import {CHROMIUM_PATH, chromiumArgs} from './chromium.js'

const APP_ID = 'app-1'
const SECRET = 'calls-secret-0123456789'
const STEP_MS = 20_000
const PAGE = readFileSync(join(import.meta.dirname, 'calls-page.html'))

const log: string[] = []
const note = (line: string) => {
  log.push(line)
  if (log.length > 400) log.shift()
}
const send = (message: unknown) => process.stdout.write(`@r58 ${JSON.stringify(message)}\n`)

const cleanups: (() => Promise<unknown>)[] = []
let stopping: Promise<void> | undefined
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.race([cleanup().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000))])
    }
    process.exit(code)
  })()
  return stopping
}
process.once('SIGTERM', () => void stop(0))

async function main(): Promise<void> {
  execFileSync('ip', ['link', 'set', 'lo', 'up'])
  const emulator = await startCallsEmulator({
    apps: new Map([[APP_ID, SECRET]]),
    log: (event) => {
      if (event.level !== 'debug') note(`[emulator] ${event.level} ${event.event}: ${event.msg}`)
    },
  })
  cleanups.push(() => emulator.close())
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
  cleanups.push(() => new Promise((resolve) => pages.close(resolve)))

  const profile = mkdtempSync(join(tmpdir(), 'profile-'))
  cleanups.push(async () => rmSync(profile, {recursive: true, force: true}))
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    ignoreDefaultArgs: true,
    // Three simulcast layers from a 640×360 picture (Chromium's default allows two at that size).
    args: [...chromiumArgs(profile), '--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/'],
    headless: true,
    timeout: STEP_MS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  })
  cleanups.push(() => browser.close())
  const page: Page = await browser.newPage()
  page.setDefaultTimeout(STEP_MS)
  page.on('console', (message) => note(`[page] ${message.type()}: ${message.text()}`))
  page.on('pageerror', (error) => note(`[page] uncaught: ${error.message}`))
  await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/`)

  const ops: Record<string, (arg: unknown) => Promise<unknown>> = {
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
    log: async () => log.join('\n'),
  }

  send({ready: emulator.apiBase})
  // One request at a time, in order; stdin closing is the signal to stop.
  const lines = createInterface({input: process.stdin})
  for await (const line of lines) {
    const {id, op, arg} = JSON.parse(line) as {id: number; op: string; arg?: unknown}
    const handler = ops[op]
    try {
      if (!handler) throw new Error(`unknown operation ${op}`)
      send({id, result: (await handler(arg)) ?? null})
    } catch (error) {
      send({
        id,
        error: `${op}: ${error instanceof Error ? error.message : String(error)}\n${log.slice(-40).join('\n')}`,
      })
    }
  }
}

main().then(
  () => stop(0),
  (error: unknown) => {
    send({error: `${error instanceof Error ? error.stack : String(error)}\n${log.join('\n')}`})
    return stop(1)
  },
)
