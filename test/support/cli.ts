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
