/**
 * Turns whatever a command threw into one R58Error: our own errors pass through, oclif's parse errors
 * become one-line usage errors (exit 2), anything else is a bug (exit 1).
 */
import {EXIT, type ExitCode, R58Error} from '../errors.js'
import {closest} from '../util/closest.js'

const SEE_HELP = /\n?See more help with --help\s*$/
const PARSING = /^Parsing (--[\w-]+) \n\t([\s\S]*)$/

export interface NormalizedError {
  code: string
  message: string
  hint?: string
  field?: string
  exitCode: ExitCode
  /** The original error, for --verbose stack traces. */
  original: unknown
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^The following errors? occurred:$/.test(line))
    .join('; ')
}

/** oclif's parser messages, reworded to name the flag and be one line. */
function rewordParseError(message: string, flagNames: readonly string[]): {message: string; hint?: string} {
  const body = message.replace(SEE_HELP, '')
  const parsing = PARSING.exec(body)
  if (parsing) return {message: `${parsing[1]}: ${oneLine(parsing[2] ?? '')}`}
  const unknown = /^Nonexistent flags?: (.+)$/.exec(body)
  if (unknown) {
    const flags = (unknown[1] ?? '').split(', ')
    const guess = flags.length === 1 ? closest((flags[0] ?? '').replace(/^--?/, ''), flagNames) : undefined
    return {message: `Unknown flag ${flags.join(', ')}`, ...(guess !== undefined && {hint: `Did you mean --${guess}?`})}
  }
  const missingArgs = /^Missing (\d+) required args?:\n([\s\S]*)$/.exec(body)
  if (missingArgs) {
    const names = (missingArgs[2] ?? '')
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0])
      .filter((name): name is string => Boolean(name) && !name?.startsWith('Note'))
    return {message: `Missing required argument ${names.map((n) => n.toUpperCase()).join(', ')}`}
  }
  return {message: oneLine(body.replace(/Missing required flag (\S+)/g, 'Missing required flag --$1'))}
}

export function isParseError(error: unknown): boolean {
  return error instanceof Error && SEE_HELP.test(error.message)
}

export function normalizeError(error: unknown, flagNames: readonly string[] = []): NormalizedError {
  if (error instanceof R58Error) {
    // oclif's parser rewrites the message of errors thrown by flag parsers; `text` keeps ours.
    return {
      code: error.code,
      message: error.text,
      ...(error.hint !== undefined && {hint: error.hint}),
      ...(error.field !== undefined && {field: error.field}),
      exitCode: error.exitCode,
      original: error,
    }
  }
  if (isParseError(error)) {
    const {message, hint} = rewordParseError((error as Error).message, flagNames)
    return {code: 'E_USAGE', message, ...(hint !== undefined && {hint}), exitCode: EXIT.usage, original: error}
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
