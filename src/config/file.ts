/**
 * The r58 config file (YAML): `--config PATH`, else `$R58_CONFIG`, else `$XDG_CONFIG_HOME/r58/config.yaml`
 * (`~/.config/r58/config.yaml`). Sections mirror the setting keys:
 *
 *   calls:
 *     appId: 0123…
 *     appSecretFile: /etc/r58/calls-secret
 *
 * Unknown keys are errors with a suggestion, so a typo never silently falls back to a default.
 */
import {homedir} from 'node:os'
import {join} from 'node:path'
import {isMap, isScalar, isSeq, LineCounter, type Node, parseDocument} from 'yaml'
import {R58Error, systemErrorCode} from '../errors.js'
import {INPUT_LIMITS, inputFileReason, loneCarriageReturnLine, readInputFile} from '../fs/input-file.js'
import {closest} from '../util/closest.js'
import {filePathOf, SETTING_KEYS, SETTINGS, type SettingKey} from './settings.js'
import type {RawValue} from './values.js'

export interface FileEntry {
  raw: RawValue
  /** `path:line:col` of the value, for messages and `config show`. */
  where: string
}

export interface ConfigFile {
  path: string
  /** Plain values, keyed by setting. */
  values: Map<SettingKey, FileEntry>
  /** `…File` references of secret settings (a path to read the secret from). */
  secretFiles: Map<SettingKey, FileEntry>
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || join(homedir(), '.config')
  return join(base, 'r58', 'config.yaml')
}

/** Which file to read: the flag, then R58_CONFIG, then the XDG default (which may be absent). */
export function configPathOf(flag: string | undefined, env: NodeJS.ProcessEnv): {path: string; explicit: boolean} {
  if (flag) return {path: flag, explicit: true}
  if (env['R58_CONFIG']) return {path: env['R58_CONFIG'], explicit: true}
  return {path: defaultConfigPath(env), explicit: false}
}

/** Every key the file may hold, as `section.name`, including the `…File` forms of secrets. */
function fileKeys(): Map<string, {key: SettingKey; isFile: boolean}> {
  const keys = new Map<string, {key: SettingKey; isFile: boolean}>()
  for (const key of SETTING_KEYS) {
    keys.set(key, {key, isFile: false})
    const def = SETTINGS[key] as {secret?: boolean}
    if (def.secret) keys.set(`${key}File`, {key, isFile: true})
  }
  return keys
}

function toRaw(node: Node | null): RawValue | undefined {
  if (isScalar(node)) {
    const v = node.value
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => (isScalar(item) ? item.value : undefined))
    return items.every((item) => typeof item === 'string' || typeof item === 'number') ? items.map(String) : undefined
  }
  return undefined
}

/**
 * Reads and validates a config file. An absent file is `undefined` unless it was asked for explicitly.
 */
export async function loadConfigFile(path: string, explicit: boolean): Promise<ConfigFile | undefined> {
  let text: string
  try {
    text = (await readInputFile(path, INPUT_LIMITS.config)).toString('utf8')
  } catch (error) {
    const code = systemErrorCode(error)
    if (code === 'ENOENT' && !explicit) return undefined
    const reason = inputFileReason(error)
    throw new R58Error('E_CONFIG', `Cannot read config file ${path}: ${reason}`, {
      field: 'config',
      hint: code === 'ENOENT' ? 'Create it with `r58 config init`, or pass --config with an existing file.' : undefined,
      cause: error,
    })
  }
  return parseConfigText(text, path)
}

export function parseConfigText(text: string, path: string): ConfigFile {
  const crLine = loneCarriageReturnLine(text)
  if (crLine !== 0) {
    throw new R58Error(
      'E_CONFIG',
      `${path}:${crLine}: a line ending is a lone carriage return (CR, classic Mac OS); YAML needs LF or CRLF`,
      {field: 'config', hint: 'Convert the file to LF line endings, or regenerate it with `r58 config init --force`.'},
    )
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, uniqueKeys: true, prettyErrors: false})
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return path
    const {line, col} = lines.linePos(offset)
    return `${path}:${line}:${col}`
  }
  const firstError = doc.errors[0]
  if (firstError) {
    throw new R58Error('E_CONFIG', `${at(firstError.pos[0])}: invalid YAML: ${firstError.message.split('\n')[0]}`, {
      field: 'config',
      hint: 'Fix the YAML syntax, or regenerate the file with `r58 config init --force`.',
    })
  }
  const result: ConfigFile = {path, values: new Map(), secretFiles: new Map()}
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return result
  if (!isMap(doc.contents)) {
    throw new R58Error('E_CONFIG', `${at(doc.contents.range?.[0])}: the config file must be a mapping of sections`, {
      field: 'config',
      hint: 'See `r58 config init --print` for the layout.',
    })
  }
  const known = fileKeys()
  const sections = new Set(SETTING_KEYS.map((key) => filePathOf(key)[0]))
  for (const sectionPair of doc.contents.items) {
    const section = isScalar(sectionPair.key) ? String(sectionPair.key.value) : ''
    const sectionPos = at((sectionPair.key as Node | null)?.range?.[0])
    if (!sections.has(section)) {
      const guess = closest(section, [...sections])
      throw new R58Error('E_CONFIG', `${sectionPos}: unknown section "${section}"`, {
        field: section,
        hint: guess ? `Did you mean "${guess}"?` : `Known sections: ${[...sections].join(', ')}.`,
      })
    }
    if (sectionPair.value === null || (isScalar(sectionPair.value) && sectionPair.value.value === null)) continue
    if (!isMap(sectionPair.value)) {
      throw new R58Error('E_CONFIG', `${sectionPos}: "${section}" must be a mapping of settings`, {field: section})
    }
    for (const pair of sectionPair.value.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : ''
      const dotted = `${section}.${name}`
      const keyPos = at((pair.key as Node | null)?.range?.[0])
      const entry = known.get(dotted)
      if (!entry) {
        const candidates = [...known.keys()].filter((k) => k.startsWith(`${section}.`))
        const guess = closest(dotted, candidates)
        throw new R58Error('E_CONFIG', `${keyPos}: unknown setting "${dotted}"`, {
          field: dotted,
          hint: guess ? `Did you mean "${guess}"?` : `Known settings: ${candidates.join(', ')}.`,
        })
      }
      const value = pair.value as Node | null
      if (value === null || (isScalar(value) && value.value === null)) continue
      const raw = toRaw(value)
      const where = at(value.range?.[0])
      if (raw === undefined) {
        throw new R58Error('E_CONFIG', `${where}: "${dotted}" must be a scalar or a list of scalars`, {field: dotted})
      }
      ;(entry.isFile ? result.secretFiles : result.values).set(entry.key, {raw, where})
    }
  }
  return result
}
