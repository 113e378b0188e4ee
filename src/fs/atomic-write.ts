/**
 * Crash-safe file replacement: a reader (or MediaMTX's file watcher) sees either the old complete file or
 * the new complete file, never a partial one.
 *
 * The new content goes to a temporary file in the same directory, is fsynced, takes the old file's mode,
 * owner and group, and is renamed over the target; then the directory is fsynced. A symlinked target is
 * replaced at its real path, so the link stays a link. An optional backup keeps the previous content under a
 * name that is never reused (UTC time + counter), readable by the file's owner only, and is removed again
 * when the replacement fails. A read-only file, or one whose owner r58 could not keep, is refused.
 */
import {randomBytes} from 'node:crypto'
import type {Stats} from 'node:fs'
import {chown, open, realpath, rename, stat, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {R58Error, systemErrorCode} from '../errors.js'
import {shellQuote} from '../util/shell-quote.js'

export interface AtomicWriteOptions {
  /** Mode for a new file; an existing file keeps its own (unless `replaceMode`). Default 0o644. */
  mode?: number
  /** Give a replaced file `mode` instead of keeping its own (`config init --force`: the file holds secrets). */
  replaceMode?: boolean
  /** Copy the previous content to `<file>.<UTC time>.<n>.bak` first. */
  backup?: boolean
  /** Refuse when the target exists (for `config init` without --force). */
  exclusive?: boolean
  /** Replace a read-only file (no write bit in its mode) instead of refusing it. */
  force?: boolean
  /** Injected clock for backup names. */
  now?: () => Date
  /** Test hook: runs right before the rename that replaces the file. */
  beforeRename?: () => Promise<void>
}

export interface AtomicWriteResult {
  /** The path actually written (the symlink target when `path` is a link). */
  path: string
  /** The backup's path, when one was made. */
  backupPath?: string
  created: boolean
}

function timestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

async function resolveTarget(path: string): Promise<{target: string; exists: boolean}> {
  try {
    return {target: await realpath(path), exists: true}
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return {target: path, exists: false}
    throw error
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    await handle.close()
  }
}

/** Refuses what must not be replaced silently: a read-only file (unless forced). */
function assertReplaceable(path: string, previous: Stats, force: boolean): void {
  if (force || (previous.mode & 0o222) !== 0) return
  const mode = (previous.mode & 0o7777).toString(8).padStart(4, '0')
  throw new R58Error('E_FILE_CONFLICT', `${path} is read-only (mode ${mode}); nothing was written`, {
    field: path,
    hint: `Someone made it read-only on purpose: pass --force to replace it anyway (it keeps mode ${mode}), or first run \`chmod u+w ${shellQuote(path)}\`.`,
  })
}

/** Gives `file` the owner and group of `previous`; refuses (rather than taking the file over) when not allowed. */
async function keepOwner(file: string, path: string, previous: Stats): Promise<void> {
  if (previous.uid === process.getuid?.() && previous.gid === process.getgid?.()) return
  try {
    await chown(file, previous.uid, previous.gid)
  } catch (error) {
    throw new R58Error(
      'E_FILE_CONFLICT',
      `${path} is owned by uid ${previous.uid} (gid ${previous.gid}); replacing it as uid ${process.getuid?.()} would take it over, so nothing was written`,
      {field: path, hint: 'Run as the owner of the file, or as root (e.g. with sudo).', cause: error},
    )
  }
}

/**
 * Copies `target` to a backup name nobody has used (created exclusively, so a backup is never overwritten),
 * readable by the file's owner only: the file may hold secrets, and a backup has no reader but the operator.
 */
async function writeBackup(target: string, previous: Stats, now: Date): Promise<string> {
  const source = await open(target, 'r')
  try {
    const content = await source.readFile()
    const mode = previous.mode & 0o600
    for (let counter = 1; ; counter++) {
      const path = `${target}.${timestamp(now)}.${counter}.bak`
      let handle: Awaited<ReturnType<typeof open>>
      try {
        handle = await open(path, 'wx', mode)
      } catch (error) {
        if (systemErrorCode(error) === 'EEXIST') continue
        throw error
      }
      try {
        await handle.chmod(mode)
        await handle.writeFile(content)
        await handle.sync()
        if (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.()) {
          await handle.chown(previous.uid, previous.gid).catch(() => {
            // keepOwner() already proved the file's owner can be kept; this only fails on odd filesystems.
          })
        }
      } catch (error) {
        await unlink(path).catch(() => {})
        throw error
      } finally {
        await handle.close()
      }
      return path
    }
  } finally {
    await source.close()
  }
}

export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<AtomicWriteResult> {
  const {target, exists} = await resolveTarget(path)
  if (exists && options.exclusive) {
    throw new R58Error('E_FILE_CONFLICT', `${path} already exists`, {
      field: path,
      hint: 'Pass --force to replace it (a timestamped backup is kept).',
    })
  }
  const previous = exists ? await stat(target) : undefined
  if (previous?.isDirectory()) {
    throw new R58Error('E_CONFIG', `${path} is a directory`, {field: path, hint: 'Give the path of a file.'})
  }
  if (previous) assertReplaceable(path, previous, options.force === true)
  const dir = dirname(target)
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const mode = previous && !options.replaceMode ? previous.mode & 0o7777 : (options.mode ?? 0o644)
  let backupPath: string | undefined
  let replaced = false
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(content)
      await handle.chmod(mode) // the umask may have narrowed the mode given to open()
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (previous) await keepOwner(temp, path, previous)
    if (previous && options.backup) backupPath = await writeBackup(target, previous, options.now?.() ?? new Date())
    await options.beforeRename?.()
    await rename(temp, target)
    replaced = true
    await fsyncDirectory(dir)
  } catch (error) {
    await unlink(temp).catch(() => {})
    if (!replaced && backupPath !== undefined) await unlink(backupPath).catch(() => {})
    if (error instanceof R58Error) throw error
    const code = systemErrorCode(error)
    throw new R58Error('E_CONFIG', `Cannot write ${path}: ${code ?? String(error)}`, {
      field: path,
      hint: code === 'EACCES' ? 'Run as a user that may write the file and its directory.' : undefined,
      cause: error,
    })
  }
  return {path: target, ...(backupPath !== undefined && {backupPath}), created: !exists}
}
