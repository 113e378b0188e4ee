/**
 * Crash-safe file replacement: a reader (or MediaMTX's file watcher) sees either the old complete file or
 * the new complete file, never a partial one.
 *
 * The new content goes to a temporary file in the same directory, is fsynced, takes the old file's mode and
 * owner, and is renamed over the target; then the directory is fsynced. A symlinked target is replaced at
 * its real path, so the link stays a link. An optional timestamped backup keeps the previous content.
 */
import {randomBytes} from 'node:crypto'
import {chown, copyFile, open, realpath, rename, stat, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {R58Error, systemErrorCode} from '../errors.js'

export interface AtomicWriteOptions {
  /** Mode for a new file; an existing file keeps its own. Default 0o644. */
  mode?: number
  /** Copy the previous content to `<file>.<UTC timestamp>.bak` first. */
  backup?: boolean
  /** Refuse when the target exists (for `config init` without --force). */
  exclusive?: boolean
  /** Injected clock for backup names. */
  now?: () => Date
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
  const dir = dirname(target)
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const mode = previous ? previous.mode & 0o7777 : (options.mode ?? 0o644)
  let backupPath: string | undefined
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(content)
      await handle.chmod(mode) // the umask may have narrowed the mode given to open()
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (previous && (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.())) {
      await chown(temp, previous.uid, previous.gid).catch(() => {
        // Only root may give a file away; an ordinary user editing their own file never gets here.
      })
    }
    if (previous && options.backup) {
      backupPath = `${target}.${timestamp(options.now?.() ?? new Date())}.bak`
      await copyFile(target, backupPath)
    }
    await rename(temp, target)
    await fsyncDirectory(dir)
  } catch (error) {
    await unlink(temp).catch(() => {})
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
