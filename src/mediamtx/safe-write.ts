/**
 * Reading a config file for editing and writing it back safely: the read names what is wrong with the file
 * (missing, a directory, unreadable, not text) as E_MEDIAMTX_CONFIG; the write takes the lock against other
 * r58 writers, refuses when the file changed since it was read (E_FILE_CONFLICT), and replaces the file with
 * `writeFileAtomic` (temporary file in the same folder, fsync, rename; owner and mode kept; symlink target
 * edited; timestamped backup). Temporary files left by writers that were killed are cleaned up.
 */
import {createHash} from 'node:crypto'
import {readdir, realpath, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {R58Error, systemErrorCode} from '../errors.js'
import {type AtomicWriteResult, writeFileAtomic} from '../fs/atomic-write.js'
import {INPUT_LIMITS, inputFileReason, loneCarriageReturnLine, readInputFile} from '../fs/input-file.js'
import {shellQuote} from '../util/shell-quote.js'
import {type FileLockOptions, pidAlive, withFileLock} from './file-lock.js'

export interface FileSnapshot {
  /** The path as given. */
  path: string
  /** The real path (symlinks resolved); this is the file that gets replaced. */
  target: string
  text: string
  /** sha256 of the bytes read. */
  hash: string
}

export interface ReadOptions {
  /** Injected for tests (e.g. a permission error when running as root). */
  readFile?: (path: string) => Promise<Buffer>
}

function readError(path: string, error: unknown): R58Error {
  const code = systemErrorCode(error)
  const reason = inputFileReason(error)
  const hint =
    code === 'ENOENT'
      ? 'Give the path of mediamtx.yml with --file (MediaMTX looks in ./mediamtx.yml, /usr/local/etc, /usr/etc and /etc/mediamtx).'
      : code === 'EACCES' || code === 'EPERM'
        ? 'Run as a user that may read (and, with --write, write) the file, e.g. with sudo.'
        : code === 'EISDIR'
          ? 'Give the path of the mediamtx.yml file, not of its folder.'
          : code === 'ENOTREG'
            ? 'Give the path of the mediamtx.yml file itself (a regular file).'
            : code === 'EFBIG'
              ? 'Point --file at the mediamtx.yml itself; a real one is far smaller.'
              : undefined
  return new R58Error('E_MEDIAMTX_CONFIG', `${path}: ${reason}`, {field: path, hint, cause: error})
}

/** Line and column of a byte offset in a buffer. */
function bytePosition(bytes: Buffer, offset: number): {line: number; col: number} {
  let line = 1
  let start = 0
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++
      start = i + 1
    }
  }
  return {line, col: offset - start + 1}
}

/** The first offset that is not UTF-8 text (a NUL byte or a malformed sequence), or -1. */
function firstBinaryOffset(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i] as number
    if (byte === 0) return i
    if (byte < 0x80) {
      i++
      continue
    }
    const need =
      byte >= 0xc2 && byte <= 0xdf ? 1 : byte >= 0xe0 && byte <= 0xef ? 2 : byte >= 0xf0 && byte <= 0xf4 ? 3 : 0
    if (need === 0 || i + need >= bytes.length) return i
    for (let k = 1; k <= need; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i
    i += need + 1
  }
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    return -1
  } catch {
    return 0 // overlong forms or surrogates: rare enough to point at the start
  }
}

/** A mediamtx.yml: a regular file of sane size (a FIFO or a device would block or never end). */
function readMediamtxFile(path: string): Promise<Buffer> {
  return readInputFile(path, INPUT_LIMITS.mediamtxConfig)
}

/** Reads a config file for editing: its text, real path and hash. */
export async function readConfigSnapshot(path: string, options: ReadOptions = {}): Promise<FileSnapshot> {
  let target: string
  let bytes: Buffer
  try {
    target = await realpath(path)
    bytes = await (options.readFile ?? readMediamtxFile)(target)
  } catch (error) {
    throw readError(path, error)
  }
  const binary = firstBinaryOffset(bytes)
  if (binary !== -1) {
    const {line, col} = bytePosition(bytes, binary)
    throw new R58Error('E_MEDIAMTX_CONFIG', `${path}:${line}:${col}: not a text file (binary or not UTF-8)`, {
      field: path,
      hint: 'Point --file at the mediamtx.yml itself.',
    })
  }
  const text = bytes.toString('utf8')
  const crLine = loneCarriageReturnLine(text)
  if (crLine !== 0) {
    throw new R58Error(
      'E_MEDIAMTX_CONFIG',
      `${path}:${crLine}: a line ending is a lone carriage return (CR, classic Mac OS); YAML readers disagree about it`,
      {
        field: path,
        hint: `Convert the file to LF line endings, e.g. \`mac2unix ${shellQuote(target)}\` (package dos2unix).`,
      },
    )
  }
  return {path, target, text, hash: createHash('sha256').update(bytes).digest('hex')}
}

/** Removes temporary files of writers of `target` that were killed (their pid is gone). */
async function removeDeadTemporaries(target: string): Promise<void> {
  const dir = dirname(target)
  const name = basename(target)
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    return
  }
  const mine = new RegExp(
    `^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:r58\\.lock(?:\\.break)?\\.)?(\\d+)\\.[0-9a-f]+\\.tmp$`,
  )
  for (const entry of entries) {
    const match = mine.exec(entry)
    if (match && !pidAlive(Number(match[1]))) await unlink(join(dir, entry)).catch(() => {})
  }
}

export interface SafeWriteOptions {
  /** Keep the previous content as `<file>.<UTC time>.<n>.bak`. Default true. */
  backup?: boolean
  /** Replace the file even when it is read-only. */
  force?: boolean
  now?: () => Date
  /** Test hook: runs after the change check is armed, right before the file is replaced. */
  beforeReplace?: () => Promise<void>
}

/** Replaces the file of `snapshot` with `text`, unless its content changed since the snapshot was read. */
export async function writeIfUnchanged(
  snapshot: FileSnapshot,
  text: string,
  options: SafeWriteOptions = {},
): Promise<AtomicWriteResult> {
  await options.beforeReplace?.()
  let current: Buffer
  try {
    current = await readMediamtxFile(snapshot.target)
  } catch (error) {
    throw readError(snapshot.path, error)
  }
  if (createHash('sha256').update(current).digest('hex') !== snapshot.hash) {
    throw new R58Error('E_FILE_CONFLICT', `${snapshot.path} changed since r58 read it; nothing was written`, {
      field: snapshot.path,
      hint: 'Someone else edited the file meanwhile. Run the command again to edit the new content.',
    })
  }
  await removeDeadTemporaries(snapshot.target)
  return writeFileAtomic(snapshot.target, text, {
    backup: options.backup ?? true,
    ...(options.force && {force: true}),
    ...(options.now && {now: options.now}),
  })
}

export interface EditFileOptions extends SafeWriteOptions, ReadOptions {
  lock?: FileLockOptions
}

export interface EditFileResult<R> {
  snapshot: FileSnapshot
  result: R
  write: AtomicWriteResult | null
}

/**
 * Read → edit → write under the lock, so concurrent r58 writers queue up and none loses another's update.
 * `edit` returns the new text (or null to write nothing) and anything to hand back.
 */
export async function editFileSafely<R>(
  path: string,
  edit: (snapshot: FileSnapshot) => Promise<{text: string | null; result: R}> | {text: string | null; result: R},
  options: EditFileOptions = {},
): Promise<EditFileResult<R>> {
  let target: string
  try {
    target = await realpath(path)
  } catch (error) {
    throw readError(path, error)
  }
  return withFileLock(
    target,
    async () => {
      const snapshot = await readConfigSnapshot(path, options)
      const {text, result} = await edit(snapshot)
      const write = text === null || text === snapshot.text ? null : await writeIfUnchanged(snapshot, text, options)
      return {snapshot, result, write}
    },
    options.lock,
  )
}
