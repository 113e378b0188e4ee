/**
 * The inside of a namespace harness (started by startNamespaceHarness() in namespace-harness.ts): a bounded
 * log for failure messages, cleanups run newest first when it stops, and the request loop. It writes one
 * `@r58 {ready}` line once `setup` is done, then answers each `{id, op, arg}` line of stdin, one at a time, in
 * order. stdin closing (or SIGTERM) stops everything; this process is the namespace's first, so its exit also
 * ends whatever its children (a browser) left behind.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {chromium, type Page} from 'playwright-core'
import {CHROMIUM_PATH, chromiumArgs} from './chromium.js'

export type HarnessOps = Record<string, (arg: unknown) => Promise<unknown>>

export interface HarnessChild {
  /** Adds a line to the log that failures carry. */
  note(line: string): void
  /** The log so far. */
  log(): string
  /** Runs `task` when the harness stops (newest first, 5 s each at most). */
  cleanup(task: () => Promise<unknown>): void
}

const send = (message: unknown) => process.stdout.write(`@r58 ${JSON.stringify(message)}\n`)

export function runHarnessChild(setup: (child: HarnessChild) => Promise<{ready: string; ops: HarnessOps}>): void {
  const lines: string[] = []
  const cleanups: (() => Promise<unknown>)[] = []
  const child: HarnessChild = {
    note(line) {
      lines.push(line)
      if (lines.length > 400) lines.shift()
    },
    log: () => lines.join('\n'),
    cleanup: (task) => cleanups.push(task),
  }
  let stopping: Promise<void> | undefined
  const stop = (code: number): Promise<void> => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        await Promise.race([cleanup().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000))])
      }
      process.exit(code)
    })()
    return stopping
  }
  process.once('SIGTERM', () => void stop(0))

  const main = async () => {
    const {ready, ops} = await setup(child)
    send({ready})
    for await (const line of createInterface({input: process.stdin})) {
      const {id, op, arg} = JSON.parse(line) as {id: number; op: string; arg?: unknown}
      const handler = ops[op]
      try {
        if (!handler) throw new Error(`unknown operation ${op}`)
        send({id, result: (await handler(arg)) ?? null})
      } catch (error) {
        send({
          id,
          error: `${op}: ${error instanceof Error ? error.message : String(error)}\n${lines.slice(-40).join('\n')}`,
        })
      }
    }
  }
  main().then(
    () => stop(0),
    (error: unknown) => {
      send({error: `${error instanceof Error ? error.stack : String(error)}\n${child.log()}`})
      return stop(1)
    },
  )
}

/**
 * Headless Chromium with chromium.ts's switches (plus `extraArgs`) and a fresh profile, both removed when the
 * harness stops, and one page whose console and errors go to the log.
 */
export async function openChromiumPage(child: HarnessChild, stepMs: number, extraArgs: string[] = []): Promise<Page> {
  const profile = mkdtempSync(join(tmpdir(), 'profile-'))
  child.cleanup(async () => rmSync(profile, {recursive: true, force: true}))
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    ignoreDefaultArgs: true,
    args: [...chromiumArgs(profile), ...extraArgs],
    headless: true,
    timeout: stepMs,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  })
  child.cleanup(() => browser.close())
  const page = await browser.newPage()
  page.setDefaultTimeout(stepMs)
  page.on('console', (message) => child.note(`[page] ${message.type()}: ${message.text()}`))
  page.on('pageerror', (error) => child.note(`[page] uncaught: ${error.message}`))
  return page
}
