/**
 * The one error type of r58 and the exit-code table.
 *
 * An R58Error is an expected, user-fixable failure: it carries a stable code, a message that names the
 * offending field or value, and a hint (the fix). Anything else that escapes is a bug (exit 1).
 * A failed *check* is not an error at all: it is report data (see src/report).
 */

/** Process exit codes, identical with and without --json. The README documents this table. */
export const EXIT = {
  ok: 0,
  bug: 1,
  usage: 2,
  checkFailed: 3,
  unreachable: 4,
  auth: 5,
  config: 6,
  /** Ctrl-C (SIGINT) or SIGTERM: what finished is still reported. */
  interrupted: 130,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Error codes and the exit class each one belongs to. */
export const ERROR_EXIT = {
  /** A flag or argument is missing, unknown or malformed. */
  E_USAGE: EXIT.usage,
  /** The r58 config file, an R58_* variable or another local file is invalid or unreadable. */
  E_CONFIG: EXIT.config,
  /** A secret could not be read (missing file, empty file, bad permissions). */
  E_SECRET: EXIT.config,
  /** Refused to overwrite or edit a local file (exists, changed since read, locked). */
  E_FILE_CONFLICT: EXIT.config,
  /** A MediaMTX configuration that MediaMTX itself would reject. */
  E_MEDIAMTX_CONFIG: EXIT.config,
  /** DNS failed, connection refused or reset, no answer. */
  E_UNREACHABLE: EXIT.unreachable,
  /** A step did not finish within its timeout. */
  E_TIMEOUT: EXIT.unreachable,
  /** The TLS handshake failed (certificate invalid, wrong name, protocol). */
  E_TLS: EXIT.unreachable,
  /** Credentials were rejected (HTTP 401/403, TURN 401/441). */
  E_AUTH: EXIT.auth,
  /** A server answered, but not as the protocol says (unexpected status, malformed body). */
  E_PROTOCOL: EXIT.checkFailed,
  /** Ran to completion, but what was checked does not work. */
  E_CHECK_FAILED: EXIT.checkFailed,
  /** The operation was cancelled (Ctrl-C, SIGTERM). */
  E_ABORTED: EXIT.checkFailed,
} as const satisfies Record<string, ExitCode>

export type ErrorCode = keyof typeof ERROR_EXIT

export interface R58ErrorOptions {
  /** What to do about it, phrased as an instruction ("pass --port 1-65535"). */
  hint?: string | undefined
  /** The flag, env var, config key or file the error is about. */
  field?: string | undefined
  cause?: unknown
}

export class R58Error extends Error {
  override readonly name = 'R58Error'
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly field: string | undefined
  /** The message as constructed; oclif's parser rewrites `message` of errors thrown by flag parsers. */
  readonly text: string

  constructor(code: ErrorCode, message: string, options: R58ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.code = code
    this.text = message
    this.hint = options.hint
    this.field = options.field
  }

  get exitCode(): ExitCode {
    return ERROR_EXIT[this.code]
  }
}

export function isR58Error(value: unknown): value is R58Error {
  return value instanceof R58Error
}

/** Node's system error codes that mean "could not reach the other end". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** The Node, undici or OpenSSL error code (ECONNREFUSED, UND_ERR_SOCKET, DEPTH_ZERO_SELF_SIGNED_CERT) of an error or its causes. */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as {code?: unknown}).code
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code
    current = (current as {cause?: unknown}).cause
  }
  return undefined
}

/** True when the error (or its cause) is a network failure such as ECONNREFUSED or ENOTFOUND. */
export function isUnreachableError(error: unknown): boolean {
  const code = systemErrorCode(error)
  return code !== undefined && UNREACHABLE_CODES.has(code)
}
