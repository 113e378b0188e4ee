/** The effective configuration as data, for `r58 config show`: every setting, its value and its source. */
import {REDACTED} from './redact.js'
import type {Settings} from './setting-resolve.js'
import {envNameOf, flagNameOf, SETTINGS, type SettingDef} from './settings.js'
import type {Layer, ParsedValue} from './values.js'

export interface EffectiveSetting {
  key: string
  /** The value; `<redacted>` for a secret that is set; null when unset. */
  value: ParsedValue | null
  /** Which layer supplied it, or `unset`. */
  source: Layer | 'unset'
  /** The flag, variable or `file:line:col` that supplied it. */
  origin: string | null
  secret: boolean
  env: string
  flag: string
}

export interface EffectiveConfig {
  /** The config file that was read, or null when there is none. */
  configFile: string | null
  settings: EffectiveSetting[]
}

export function effectiveConfig(settings: Settings): EffectiveConfig {
  return {
    configFile: settings.configPath ?? null,
    settings: settings.entries().map((entry) => {
      const def: SettingDef = SETTINGS[entry.key]
      const set = entry.value !== undefined
      return {
        key: entry.key,
        value: set ? (entry.secret ? REDACTED : (entry.value as ParsedValue)) : null,
        source: entry.origin?.layer ?? 'unset',
        origin: entry.origin?.name ?? null,
        secret: def.secret === true,
        env: envNameOf(entry.key),
        flag: `--${flagNameOf(entry.key)}`,
      }
    }),
  }
}
