/**
 * A process started inside a network namespace (`ip netns exec`), with its output kept line by line so a test
 * can wait for an event (a log line, an NDJSON object) instead of sleeping. The test process never talks to
 * it over the network: the namespace has its own stack, and the test's network guard stays as it is.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

export interface NamespaceProcess {
  readonly name: string
  readonly pid: number
  /** Every stdout and stderr line so far (stderr lines prefixed `! `). */
  readonly lines: readonly string[]
  /** Resolves with the first line (past or future) that `match` accepts; rejects on exit or after `timeoutMs`. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string>
  /** Resolves with the exit code (null: killed by a signal). */
  readonly exited: Promise<number | null>
  /** Closes the process's stdin (with `stdin: true`): the signal some lab processes wait for to finish. */
  endInput(): void
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>
}

const MAX_LINES = 5000

export function spawnInNamespace(
  namespace: string,
  name: string,
  argv: readonly string[],
  options: {env?: NodeJS.ProcessEnv; cwd?: string; stdin?: boolean} = {},
): NamespaceProcess {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', namespace, ...argv], {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd !== undefined && {cwd: options.cwd}),
  })
  const lines: string[] = []
  const waiters = new Set<(line: string) => void>()
  const add = (line: string) => {
    lines.push(line)
    if (lines.length > MAX_LINES) lines.shift()
    for (const waiter of [...waiters]) waiter(line)
  }
  createInterface({input: child.stdout as NodeJS.ReadableStream}).on('line', add)
  createInterface({input: child.stderr as NodeJS.ReadableStream}).on('line', (line) => add(`! ${line}`))
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code
      resolve(code)
    })
    child.once('error', () => {
      exitCode = null
      resolve(null)
    })
  })
  const tail = () => lines.slice(-30).join('\n')

  return {
    name,
    pid: child.pid ?? 0,
    lines,
    exited,
    waitForLine(match, timeoutMs, what) {
      const seen = lines.find(match)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise<string>((resolve, reject) => {
        const done = (error?: Error, line?: string) => {
          clearTimeout(timer)
          waiters.delete(onLine)
          if (error) reject(error)
          else resolve(line as string)
        }
        const onLine = (line: string) => {
          if (match(line)) done(undefined, line)
        }
        const timer = setTimeout(
          () => done(new Error(`${name}: no ${what} within ${timeoutMs} ms\n${tail()}`)),
          timeoutMs,
        )
        waiters.add(onLine)
        void exited.then((code) => done(new Error(`${name} exited (${code}) before ${what}\n${tail()}`)))
      })
    },
    endInput() {
      child.stdin?.end()
    },
    async stop(graceMs = 3000) {
      if (exitCode !== undefined) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The JSON objects among a process's lines (NDJSON output), skipping anything else. */
export function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const line of lines) {
    if (!line.startsWith('{')) continue
    try {
      out.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // a partial or foreign line
    }
  }
  return out
}
