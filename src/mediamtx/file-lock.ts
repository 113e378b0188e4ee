/**
 * An advisory lock against concurrent r58 writers of one file: `.<name>.r58.lock` next to it, created
 * atomically (`link` of a fully written temporary file, so a lock is never seen half-written) and holding the
 * owner's pid, host and a random token. A lock whose owner died (SIGKILL, power loss) is stale and is taken
 * over; taking it over is itself serialised by a short-lived `.break` lock so two waiters cannot both win.
 */
import {randomBytes} from 'node:crypto'
import {link, readFile, unlink, writeFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {R58Error, systemErrorCode} from '../errors.js'
import {sleep} from '../util/abort.js'

export interface FileLockOptions {
  /** How long to wait for another writer. Default 10 s. */
  timeoutMs?: number
  /** Poll interval while waiting. Default 25 ms. */
  pollMs?: number
  /** A lock from another host is stale after this long. Default 10 min. */
  staleMs?: number
  signal?: AbortSignal
}

interface LockInfo {
  pid: number
  host: string
  since: number
  token: string
}

export function lockPathOf(target: string): string {
  return join(dirname(target), `.${basename(target)}.r58.lock`)
}

function format(info: LockInfo): string {
  return `${JSON.stringify(info)}\n`
}

async function readInfo(path: string): Promise<LockInfo | null | undefined> {
  try {
    const text = await readFile(path, 'utf8')
    const info = JSON.parse(text) as Partial<LockInfo>
    if (typeof info.pid === 'number' && typeof info.token === 'string') return info as LockInfo
    return null
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return undefined
    return null
  }
}

/** Is the process alive? EPERM means it exists under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return systemErrorCode(error) === 'EPERM'
  }
}

function isStale(info: LockInfo | null, staleMs: number, now: number): boolean {
  if (info === null) return true // unreadable: never written by r58's link() protocol
  if (info.host === hostname()) return !pidAlive(info.pid)
  return now - info.since > staleMs
}

/** Creates `path` holding `info` atomically; false when it exists. */
async function createExclusive(path: string, info: LockInfo): Promise<boolean> {
  const temp = `${path}.${info.pid}.${info.token}.tmp`
  await writeFile(temp, format(info), {mode: 0o644})
  try {
    await link(temp, path)
    return true
  } catch (error) {
    if (systemErrorCode(error) === 'EEXIST') return false
    throw error
  } finally {
    await unlink(temp).catch(() => {})
  }
}

async function removeIfToken(path: string, token: string): Promise<void> {
  const info = await readInfo(path)
  if (info && info.token === token) await unlink(path).catch(() => {})
}

/** Removes a `.break` lock whose owner died while holding it (it must not outlive every later writer). */
async function clearStaleBreaker(breaker: string, staleMs: number): Promise<void> {
  const holder = await readInfo(breaker)
  if (holder !== undefined && isStale(holder, staleMs, Date.now())) await unlink(breaker).catch(() => {})
}

/** Removes a stale lock, unless someone else replaced it meanwhile. */
async function breakStale(path: string, stale: LockInfo | null, self: LockInfo, staleMs: number): Promise<void> {
  const breaker = `${path}.break`
  const mine = {...self, token: randomBytes(8).toString('hex')}
  if (!(await createExclusive(breaker, mine))) {
    await clearStaleBreaker(breaker, staleMs)
    return
  }
  try {
    const current = await readInfo(path)
    const same = current === null ? stale === null : current !== undefined && current.token === stale?.token
    if (same) await unlink(path).catch(() => {})
  } finally {
    await removeIfToken(breaker, mine.token)
  }
}

export interface FileLock {
  path: string
  release(): Promise<void>
}

/** Takes the lock for `target`, waiting up to `timeoutMs`; E_FILE_CONFLICT when another live writer holds it. */
export async function acquireFileLock(target: string, options: FileLockOptions = {}): Promise<FileLock> {
  const path = lockPathOf(target)
  const timeoutMs = options.timeoutMs ?? 10_000
  const staleMs = options.staleMs ?? 600_000
  const started = Date.now()
  const self: LockInfo = {pid: process.pid, host: hostname(), since: Date.now(), token: randomBytes(8).toString('hex')}
  for (;;) {
    let created: boolean
    try {
      created = await createExclusive(path, {...self, since: Date.now()})
    } catch (error) {
      const code = systemErrorCode(error)
      throw new R58Error('E_FILE_CONFLICT', `Cannot create the lock file ${path}: ${code ?? String(error)}`, {
        field: target,
        hint: 'r58 needs to write in the directory of the file it edits.',
        cause: error,
      })
    }
    if (created) {
      // A writer killed between removing a stale lock and its own `.break` leaves that behind; tidy it up.
      await clearStaleBreaker(`${path}.break`, staleMs)
      return {path, release: () => removeIfToken(path, self.token)}
    }
    const holder = await readInfo(path)
    if (holder === undefined) continue
    if (isStale(holder, staleMs, Date.now())) {
      await breakStale(path, holder, self, staleMs)
      continue
    }
    if (Date.now() - started >= timeoutMs) {
      const who = holder
        ? `pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()}`
        : 'another writer'
      throw new R58Error('E_FILE_CONFLICT', `${target} is being edited by ${who}`, {
        field: target,
        hint: `Wait for it to finish and run the command again (remove ${path} only if no r58 is running).`,
      })
    }
    await sleep(options.pollMs ?? 25, options.signal)
  }
}

/** Runs `fn` while holding the lock for `target`. */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(target, options)
  try {
    return await fn()
  } finally {
    await lock.release()
  }
}
