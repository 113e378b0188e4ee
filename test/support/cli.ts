/**
 * Runs r58 commands for tests: in-process through oclif (fast, exact argv), or as a real child process
 * (exit codes, TTY and colour behaviour exactly as a user sees them). Both isolate the environment: no
 * R58_* variable or config file of the developer's machine leaks in.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {Config, run} from '@oclif/core'
import {captureOutput} from '@oclif/test'

export const ROOT = resolve(import.meta.dirname, '../..')

export interface CliResult<T = unknown> {
  stdout: string
  stderr: string
  exitCode: number
  /** The value run() returned (in-process runs only). */
  result?: T
}

let config: Promise<Config> | undefined

/** A fresh, empty XDG_CONFIG_HOME so no real config file is read. */
export function isolatedConfigHome(): string {
  return mkdtempSync(join(tmpdir(), 'r58-cfg-'))
}

function isolatedEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const clean: Record<string, string | undefined> = {}
  for (const key of Object.keys(process.env)) if (key.startsWith('R58_') || key === 'NO_COLOR') clean[key] = undefined
  return {XDG_CONFIG_HOME: isolatedConfigHome(), CI: 'true', ...clean, ...env}
}

/** In-process run. `exitCode` is what the process would exit with. */
export async function runR58<T = unknown>(
  argv: string[],
  options: {env?: Record<string, string | undefined>} = {},
): Promise<CliResult<T>> {
  config ??= Config.load({root: ROOT})
  const loaded = await config
  const env = isolatedEnv(options.env ?? {})
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]))
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  process.exitCode = undefined
  try {
    const out = await captureOutput<T>(() => run(argv, loaded))
    const thrown = out.error as (Error & {oclif?: {exit?: number}}) | undefined
    const exitCode = thrown ? (thrown.oclif?.exit ?? 1) : Number(process.exitCode ?? 0)
    return {stdout: out.stdout, stderr: out.stderr, exitCode, ...(out.result !== undefined && {result: out.result})}
  } finally {
    process.exitCode = undefined
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

/** A real `r58` process (bin/dev.js through tsx). */
export function spawnR58(
  argv: string[],
  options: {env?: Record<string, string | undefined>; timeoutMs?: number} = {},
): Promise<CliResult> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({...process.env, ...isolatedEnv(options.env ?? {})})) {
    if (value !== undefined) env[key] = value
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/dev.js'), ...argv], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`r58 ${argv.join(' ')} did not exit within ${options.timeoutMs ?? 30_000} ms`))
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({stdout, stderr, exitCode: code ?? 1})
    })
  })
}

export interface R58Process {
  /** NDJSON events printed so far. */
  events: Record<string, unknown>[]
  /** Resolves with the first event of that name (or rejects after `timeoutMs`). */
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>
  stderr(): string
  kill(signal: NodeJS.Signals): void
  /** The exit code. */
  exited: Promise<number | null>
}

/** A long-running r58 command (`relay start`, `calls emulate`) with `--json`, read event by event. */
export function startR58Process(argv: string[], env: Record<string, string | undefined> = {}): R58Process {
  const merged: Record<string, string> = {}
  for (const [key, value] of Object.entries({...process.env, ...isolatedEnv(env)})) {
    if (value !== undefined) merged[key] = value
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/dev.js'), ...argv, '--json'], {
    cwd: ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const events: Record<string, unknown>[] = []
  const waiters: {event: string; resolve: (e: Record<string, unknown>) => void}[] = []
  let buffered = ''
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (!line.trim()) continue
      const event = JSON.parse(line) as Record<string, unknown>
      events.push(event)
      for (const waiter of waiters.filter((w) => w.event === event['event'])) waiter.resolve(event)
    }
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    events,
    waitFor: (event, timeoutMs = 30_000) => {
      const seen = events.find((e) => e['event'] === event)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${event} event within ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        )
        waiters.push({
          event,
          resolve: (e) => {
            clearTimeout(timer)
            resolvePromise(e)
          },
        })
      })
    },
    stderr: () => stderr,
    kill: (signal) => child.kill(signal),
    exited,
  }
}
