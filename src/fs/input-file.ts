/**
 * Reading a file the operator pointed r58 at (mediamtx.yml, the r58 config, a secret or tokens file) without
 * trusting what it is: a FIFO would block the read forever (and the thread pool with it, so even SIGTERM
 * handling stalls), a device such as /dev/zero never ends, and a huge file exhausts the heap long before it
 * could be parsed. The file is opened non-blocking, must be a regular file, and is read only up to a cap.
 *
 * Failures are thrown as errors with a Node-style `code` (ENOENT, EACCES, EISDIR from the system; ENOTREG and
 * EFBIG from the checks here) and a human `reason`, so each caller can word its own R58Error around them.
 */
import {constants, type Stats} from 'node:fs'
import {open} from 'node:fs/promises'
import {systemErrorCode} from '../errors.js'

/** Caps by kind of file: generous for what each holds, small enough to parse at once. */
export const INPUT_LIMITS = {
  /** mediamtx.yml (the default file of v1.20.1 is about 30 KB). */
  mediamtxConfig: 4 * 1024 * 1024,
  /** The r58 config file and the relay's tokens file. */
  config: 1024 * 1024,
  /** A file that holds one secret. */
  secret: 64 * 1024,
} as const

export class InputFileError extends Error {
  override readonly name = 'InputFileError'
  readonly code: 'ENOTREG' | 'EFBIG' | 'EISDIR'
  readonly reason: string

  constructor(code: InputFileError['code'], reason: string) {
    super(reason)
    this.code = code
    this.reason = reason
  }
}

const SYSTEM_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
  ENXIO: 'a device or socket with nothing behind it, not a regular file',
}

/** The reason to show for a failure of `readInputFile` (or of any file system call). */
export function inputFileReason(error: unknown): string {
  if (error instanceof InputFileError) return error.reason
  const code = systemErrorCode(error)
  return (code && SYSTEM_REASONS[code]) ?? code ?? String(error)
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  if (info.isSocket()) return 'a socket'
  return 'not a regular file'
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} bytes`
}

function tooBig(size: number, maxBytes: number): InputFileError {
  const at = size > maxBytes + 1 ? formatBytes(size) : `more than ${formatBytes(maxBytes)}`
  return new InputFileError('EFBIG', `too large (${at}; the limit is ${formatBytes(maxBytes)})`)
}

/** Reads a regular file of at most `maxBytes` bytes; see the module comment for what is refused. */
export async function readInputFile(path: string, maxBytes: number): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  try {
    const info = await handle.stat()
    if (info.isDirectory()) throw new InputFileError('EISDIR', 'is a directory')
    if (!info.isFile()) throw new InputFileError('ENOTREG', `${kindOf(info)}, not a regular file`)
    if (info.size > maxBytes) throw tooBig(info.size, maxBytes)
    // The file may grow between stat and read: read in chunks and stop one byte past the cap.
    const chunks: Buffer[] = []
    let length = 0
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(info.size - length, 0), maxBytes + 1 - length) || 64 * 1024)
      const {bytesRead} = await handle.read(chunk, 0, Math.min(chunk.length, maxBytes + 1 - length), null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      length += bytesRead
      if (length > maxBytes) throw tooBig(length, maxBytes)
    }
    return Buffer.concat(chunks, length)
  } finally {
    await handle.close()
  }
}

/**
 * The 1-based line of the first carriage return that is not followed by a line feed, or 0. YAML readers
 * disagree about a lone CR (old Mac line endings): the yaml library reads such a file as one long comment.
 */
export function loneCarriageReturnLine(text: string): number {
  const index = text.search(/\r(?!\n)/)
  if (index === -1) return 0
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++
  return line
}
