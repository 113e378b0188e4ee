/**
 * Whatever oclif's parser throws, as one R58Error naming the argument or flag (exit 2). It reads oclif's error
 * objects (their class and the arguments, flags and parse state they carry), not their English messages, so an
 * oclif update that rewords a message cannot garble ours.
 */
import {R58Error} from '../errors.js'
import {closest} from '../util/closest.js'

interface ParseState {
  input?: {flags?: Record<string, {required?: boolean; char?: string}>}
  output?: {flags?: Record<string, unknown>}
}

/** The fields oclif's parse errors carry, by class. */
interface OclifParseError extends Error {
  parse?: ParseState
  args?: ({name?: string; description?: string} | string)[]
  flags?: string[]
}

/** oclif's own flag parsers (Flags.integer…) fail as `Parsing --name \n\t<reason>`; the reason is theirs. */
const FLAG_PARSE_FAILURE = /^Parsing (--[\w-]+) \n\t([^\n]*)/

function missingRequiredFlags(parse: ParseState | undefined): string[] {
  const defined = parse?.input?.flags ?? {}
  const given = parse?.output?.flags ?? {}
  return Object.entries(defined)
    .filter(([name, flag]) => flag.required === true && given[name] === undefined)
    .map(([name]) => `--${name}`)
}

function firstLine(error: Error): string {
  return (error.message.split('\n')[0] ?? '').trim()
}

export function usageErrorOf(error: unknown, flagNames: readonly string[]): R58Error {
  if (error instanceof R58Error) return error
  if (!(error instanceof Error)) return new R58Error('E_USAGE', String(error))
  const e = error as OclifParseError
  switch (e.constructor.name) {
    case 'RequiredArgsError': {
      const names = (e.args ?? []).map((arg) => (typeof arg === 'string' ? arg : (arg.name ?? '')).toUpperCase())
      const first = e.args?.[0]
      const hint = typeof first === 'object' && first.description ? `${names[0]}: ${first.description}` : undefined
      return new R58Error('E_USAGE', `Missing required argument ${names.join(', ')}`, {
        field: names[0] ?? '',
        ...(hint !== undefined && {hint}),
      })
    }
    case 'UnexpectedArgsError': {
      const args = (e.args ?? []).map(String)
      return new R58Error('E_USAGE', `Unexpected argument ${args.map((a) => JSON.stringify(a)).join(', ')}`, {
        hint: 'Quote values with spaces, and put flags after a value that starts with a dash as --flag=value.',
      })
    }
    case 'NonExistentFlagsError': {
      const flags = e.flags ?? []
      const guess = flags.length === 1 ? closest((flags[0] ?? '').replace(/^--?/, ''), flagNames) : undefined
      return new R58Error('E_USAGE', `Unknown flag ${flags.join(', ')}`, {
        field: flags[0] ?? '',
        ...(guess !== undefined && {hint: `Did you mean --${guess}?`}),
      })
    }
    case 'FailedFlagValidationError': {
      const missing = missingRequiredFlags(e.parse)
      if (missing.length > 0) {
        return new R58Error('E_USAGE', `Missing required flag ${missing.join(', ')}`, {field: missing[0] as string})
      }
      break
    }
  }
  const parsing = FLAG_PARSE_FAILURE.exec(e.message)
  if (parsing) return new R58Error('E_USAGE', `${parsing[1]}: ${parsing[2]?.trim()}`, {field: parsing[1] as string})
  return new R58Error('E_USAGE', firstLine(e))
}
