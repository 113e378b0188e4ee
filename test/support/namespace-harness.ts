/**
 * Runs a harness script (a Node program written for it) inside a private network and PID namespace whose only
 * interface is loopback (`unshare --net --pid`), and talks to it over stdin/stdout: one JSON request a line
 * in (`{id, op, arg}`), one `@r58 ` JSON line out per answer (`{id, result}` or `{id, error}`), and a first
 * `{ready}` line once it is up. Killing the namespace's first process kills everything in it. chromium.ts
 * explains why browsers in tests run this way.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {createInterface} from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../..')
const CALL_TIMEOUT_MS = 30_000

export interface NamespaceHarness {
  /** What the script reported with its `ready` line. */
  ready: string
  /** Sends one request; rejects with the script's error, or after `timeoutMs`. */
  call<T>(op: string, arg?: unknown, timeoutMs?: number): Promise<T>
  /** Stops the script (stdin closes), then the namespace; kills it after `timeoutMs`. Safe to call twice. */
  close(timeoutMs?: number): Promise<void>
}

/** Starts `script` (a path below the repository) in a new namespace and waits for its `ready` line. */
export function startNamespaceHarness(
  script: string,
  timeoutMs = 30_000,
  extraEnv: Record<string, string> = {},
): Promise<NamespaceHarness> {
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
    join(ROOT, script),
  ]
  // Every temporary file of the harness, playwright and Chromium goes here, removed even after a SIGKILL.
  const tmp = mkdtempSync(join(tmpdir(), 'r58-chromium-'))
  const child = spawn('unshare', args, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {...process.env, ...extraEnv, TMPDIR: tmp},
  })
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
      for (const {reject} of pending.values()) reject(new Error(`the harness exited\n${stderr}`))
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
    else if (message.id === undefined) failed?.(new Error(`the harness did not start: ${message.error}`))
    else {
      const call = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) call?.reject(new Error(message.error))
      else call?.resolve(message.result)
    }
  })
  void exit.then(() => failed?.(new Error(`the harness exited before it was ready\n${stderr}`)))

  const call = <T>(op: string, arg?: unknown, callTimeoutMs = CALL_TIMEOUT_MS): Promise<T> => {
    if (exited) return Promise.reject(new Error(`the harness has exited\n${stderr}`))
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`the harness did not answer ${op} within ${callTimeoutMs} ms`))
      }, callTimeoutMs)
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

  return new Promise<NamespaceHarness>((resolve, reject) => {
    const timer = setTimeout(() => failed?.(new Error(`the harness was not ready within ${timeoutMs} ms`)), timeoutMs)
    started.then(
      (value) => {
        clearTimeout(timer)
        resolve({ready: value, call, close})
      },
      (error: Error) => {
        clearTimeout(timer)
        void close(2000).then(() => reject(new Error(`${error.message}\n${stderr}`)))
      },
    )
  })
}
