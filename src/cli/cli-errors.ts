/**
 * Turns whatever a command threw into one R58Error: our own errors pass through (BaseCommand already turned the
 * parser's into usage errors, exit 2), anything else is a bug (exit 1).
 */
import {EXIT, type ExitCode, R58Error} from '../errors.js'
import {usageErrorOf} from './usage-error.js'

export interface NormalizedError {
  code: string
  message: string
  hint?: string
  field?: string
  exitCode: ExitCode
  /** The original error, for --verbose stack traces. */
  original: unknown
}

/** oclif's parse errors carry the parse state (`parse`); one thrown outside BaseCommand.init is still one. */
function isOclifParseError(error: unknown): boolean {
  return error instanceof Error && 'parse' in error
}

export function normalizeError(error: unknown, flagNames: readonly string[] = []): NormalizedError {
  const known =
    error instanceof R58Error ? error : isOclifParseError(error) ? usageErrorOf(error, flagNames) : undefined
  if (known) {
    // oclif's parser rewrites the message of errors thrown by flag parsers; `text` keeps ours.
    return {
      code: known.code,
      message: known.text,
      ...(known.hint !== undefined && {hint: known.hint}),
      ...(known.field !== undefined && {field: known.field}),
      exitCode: known.exitCode,
      original: error,
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  return {
    code: 'E_BUG',
    message: `Unexpected error: ${message}`,
    hint: 'This is a bug in r58. Rerun with --verbose and report the output.',
    exitCode: EXIT.bug,
    original: error,
  }
}
