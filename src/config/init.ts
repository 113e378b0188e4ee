/** `r58 config init`: write the commented template (mode 0600, atomic, never over an existing file unless forced). */
import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'
import {writeFileAtomic} from '../fs/atomic-write.js'
import type {FlagInput} from './setting-resolve.js'
import type {SettingKey} from './settings.js'
import {renderConfigTemplate, type TemplateValues} from './template.js'

export interface InitConfigOptions {
  path: string
  force: boolean
  /** Values the operator gave on this run (flags only), written uncommented. */
  given: TemplateValues
}

export interface InitConfigResult {
  path: string
  created: boolean
  /** The previous file's backup when --force replaced one. */
  backupPath: string | null
  mode: string
  /** Settings written uncommented. */
  written: string[]
}

/** Only values given on the command line go into the file (secrets given as files stay file references). */
export function templateValuesFromFlags(flags: FlagInput): TemplateValues {
  const values = new Map<SettingKey, string | readonly string[]>()
  for (const [key, raw] of flags.values) values.set(key, Array.isArray(raw) ? raw : String(raw))
  return {values, secretFiles: new Map(flags.secretFiles)}
}

export async function initConfig(options: InitConfigOptions): Promise<InitConfigResult> {
  await mkdir(dirname(options.path), {recursive: true, mode: 0o700})
  const written = await writeFileAtomic(options.path, renderConfigTemplate(options.given), {
    mode: 0o600,
    // The file may hold secrets: a replaced file gets 0600 too (owner and group are kept).
    replaceMode: true,
    exclusive: !options.force,
    force: options.force,
    backup: true,
  })
  return {
    path: written.path,
    created: written.created,
    backupPath: written.backupPath ?? null,
    mode: '0600',
    written: [...options.given.values.keys(), ...options.given.secretFiles.keys()].map(String),
  }
}
