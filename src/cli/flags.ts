/**
 * Shared flag definitions. Setting flags come from the settings registry, so their names, env vars and
 * config keys always agree; typed flags (port, duration, URL) reject bad input at parse time with a
 * one-line message naming the flag and the accepted form (exit 2).
 */
import {Flags, type Interfaces} from '@oclif/core'
import {envNameOf, flagNameOf, SETTINGS, type SettingDef, type SettingKey} from '../config/settings.js'
import {R58Error} from '../errors.js'
import {formatDuration, parseDuration} from '../util/duration.js'

/** Marks an oclif flag definition as carrying a setting (read back by BaseCommand). */
export interface SettingMark {
  r58Setting?: SettingKey
  r58SecretFile?: boolean
}

export function settingMarkOf(flag: unknown): SettingMark {
  return (flag ?? {}) as SettingMark
}

/** Setting flags are read through BaseCommand.settings, never through this.flags, so their exact type is moot. */
export type AnyFlag = Interfaces.OptionFlag<unknown>
export type SettingFlagSet = Record<string, AnyFlag>

function usage(flag: string, expected: string, got: string): R58Error {
  return new R58Error('E_USAGE', `--${flag}: expected ${expected}, got ${JSON.stringify(got)}`, {field: `--${flag}`})
}

export interface SettingFlagOptions {
  /**
   * Names this command used to give the setting, kept working as hidden aliases that warn (once) to use the one
   * name from the registry. Secrets: the aliases of the inline flag; `<alias>-file` aliases the file flag.
   */
  aliases?: readonly string[]
  required?: boolean
  /** What the value is in help (`FILE`), when the setting's kind does not say. */
  helpValue?: string
}

/** Deprecated aliases for a flag definition (oclif warns when one is used and hides them from help). */
function aliasesOf(names: readonly string[] | undefined) {
  return names && names.length > 0 ? {aliases: [...names], deprecateAliases: true} : {}
}

/**
 * oclif flags for settings, named by the registry and only by it: `--calls-app-id` for plain ones;
 * `--calls-app-secret-file` plus the discouraged inline `--calls-app-secret` for secrets. Values are validated
 * when settings are resolved, with the same rules as for environment and file values.
 */
export function settingFlags(
  keys: readonly SettingKey[],
  options: Partial<Record<SettingKey, SettingFlagOptions>> = {},
): SettingFlagSet {
  const flags: Record<string, AnyFlag> = {}
  for (const key of keys) {
    const def: SettingDef = SETTINGS[key]
    const opts = options[key] ?? {}
    const name = flagNameOf(key)
    const env = envNameOf(key)
    const helpValue =
      opts.helpValue ??
      (def.kind === 'hostport' ? 'HOST:PORT' : def.kind === 'url' ? 'URL' : def.kind === 'list' ? 'LIST' : 'VALUE')
    const base = {...(def.flag?.char !== undefined && {char: def.flag.char as 'a'}), helpValue}
    if (def.secret) {
      flags[`${name}-file`] = Object.assign(
        Flags.string({
          summary: `File holding the secret: ${def.summary} [env: ${env}_FILE]`,
          helpValue: 'FILE',
          ...aliasesOf(opts.aliases?.map((alias) => `${alias}-file`)),
        }) as AnyFlag,
        {r58Setting: key, r58SecretFile: true} satisfies SettingMark,
      )
      flags[name] = Object.assign(
        Flags.string({
          summary: `${def.summary}; visible in the process list, prefer --${name}-file [env: ${env}]`,
          helpValue: 'SECRET',
          ...aliasesOf(opts.aliases),
        }) as AnyFlag,
        {r58Setting: key} satisfies SettingMark,
      )
      continue
    }
    const summary = `${def.summary} [env: ${env}]${def.default === undefined ? '' : ` [default: ${String(def.default)}]`}`
    const common = {...base, summary, ...aliasesOf(opts.aliases)}
    flags[name] = Object.assign(
      def.kind === 'list'
        ? (Flags.string({...common, multiple: true, delimiter: ','}) as AnyFlag)
        : (Flags.string(common) as AnyFlag),
      {r58Setting: key} satisfies SettingMark,
    )
  }
  return flags
}

/**
 * `--timeout 3` or `--timeout 3s`: a duration, returned in milliseconds. A bare number is seconds, as for every
 * duration in r58; the help value says so.
 */
export const durationFlag = Flags.custom<number>({
  helpValue: 'SECONDS|DURATION',
  parse: async (input, _ctx, flag) => {
    const ms = parseDuration(input)
    if (ms === undefined) throw usage(flag.name, 'seconds, or a duration such as 500ms, 3s or 12h', input)
    return ms
  },
})

/**
 * `--timeout`: every command that waits on the network has one, shown in help as a duration. Like every
 * `defaultHelp` in r58 it formats a constant: help prints the text cached in the manifest without loading the
 * command (cli-help.ts), so a default that depended on context would show stale there.
 */
export function timeoutFlag(defaultMs: number, summary = 'Deadline for each network step') {
  return durationFlag({summary, default: defaultMs, defaultHelp: async () => formatDuration(defaultMs)})
}
