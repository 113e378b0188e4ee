/**
 * One precedence everywhere: flag > environment (R58_*) > config file > built-in default.
 * Secrets may come inline or from a file at each layer; both forms at one layer is an error.
 */
import {R58Error} from '../errors.js'
import {INPUT_LIMITS, inputFileReason, readInputFile} from '../fs/input-file.js'
import type {ConfigFile} from './file.js'
import type {Redactor} from './redact.js'
import {envNameOf, flagNameOf, SETTINGS, type SettingDef, type SettingKey, type SettingValue} from './settings.js'
import {type Origin, type ParsedValue, parseSettingValue, type RawValue} from './values.js'

/** What the command line said, already split by setting (see src/cli/flags.ts). */
export interface FlagInput {
  values: Map<SettingKey, RawValue>
  secretFiles: Map<SettingKey, string>
  /** The flag name of each setting in this command, when not the derived one (`key-id` for turn.keyId). */
  names?: Map<SettingKey, string>
}

export interface ResolvedSetting {
  key: SettingKey
  value: ParsedValue | undefined
  origin: Origin | undefined
  secret: boolean
}

export interface ResolveInput {
  keys: readonly SettingKey[]
  flags: FlagInput
  env: NodeJS.ProcessEnv
  file: ConfigFile | undefined
  redactor: Redactor
  /** Injected for tests; defaults to reading the file. */
  readSecretFile?: (path: string) => Promise<string>
}

/** A secret file: a regular file of at most 64 KiB (a FIFO or device would block or never end). */
export async function readSecretFromFile(path: string): Promise<string> {
  return (await readInputFile(path, INPUT_LIMITS.secret)).toString('utf8')
}

export class Settings {
  readonly #resolved: Map<SettingKey, ResolvedSetting>
  readonly warnings: readonly string[]
  readonly configPath: string | undefined

  readonly #flagNames: ReadonlyMap<SettingKey, string>

  constructor(
    resolved: Map<SettingKey, ResolvedSetting>,
    warnings: string[],
    configPath: string | undefined,
    flagNames: ReadonlyMap<SettingKey, string> = new Map(),
  ) {
    this.#resolved = resolved
    this.warnings = warnings
    this.configPath = configPath
    this.#flagNames = flagNames
  }

  get<K extends SettingKey>(key: K): SettingValue<K> | undefined {
    return this.#resolved.get(key)?.value as SettingValue<K> | undefined
  }

  /** The value, or a usage error saying every way to provide it. */
  require<K extends SettingKey>(key: K, purpose?: string): SettingValue<K> {
    const value = this.get(key)
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) return value
    throw missingSetting(key, purpose, this.#flagNames.get(key))
  }

  origin(key: SettingKey): Origin | undefined {
    return this.#resolved.get(key)?.origin
  }

  entries(): ResolvedSetting[] {
    return [...this.#resolved.values()]
  }
}

/** "Missing calls.appId: pass --calls-app-id, set R58_CALLS_APP_ID, or set calls.appId in the config file." */
export function missingSetting(key: SettingKey, purpose?: string, flagName?: string): R58Error {
  const def: SettingDef = SETTINGS[key]
  const flag = `--${flagName ?? flagNameOf(key)}`
  const env = envNameOf(key)
  const ways = def.secret
    ? `set ${env} or ${env}_FILE, pass ${flag}-file, or set ${key}File in the config file`
    : `pass ${flag}, set ${env}, or set ${key} in the config file`
  return new R58Error('E_USAGE', `Missing ${def.summary} (${key}${purpose ? `, ${purpose}` : ''})`, {
    field: flag,
    hint: `Provide it: ${ways}.`,
  })
}

async function readSecret(path: string, origin: Origin, read: (path: string) => Promise<string>): Promise<string> {
  let text: string
  try {
    text = await read(path)
  } catch (error) {
    const reason = inputFileReason(error)
    throw new R58Error('E_SECRET', `${origin.name}: cannot read secret file ${path}: ${reason}`, {
      field: origin.name,
      hint: 'Point it at a readable file that holds only the secret.',
      cause: error,
    })
  }
  const secret = text.replace(/\r?\n$/, '').trim()
  if (secret.length === 0) {
    throw new R58Error('E_SECRET', `${origin.name}: secret file ${path} is empty`, {field: origin.name})
  }
  return secret
}

interface Candidate {
  origin: Origin
  raw?: RawValue
  secretPath?: string
}

/** The highest layer that has a value (inline or `…File`) for this key. */
function pickCandidate(key: SettingKey, input: ResolveInput): Candidate | undefined {
  const def: SettingDef = SETTINGS[key]
  const flag = `--${input.flags.names?.get(key) ?? flagNameOf(key)}`
  const env = envNameOf(key)
  const layers: {inline?: Candidate; file?: Candidate; both: string}[] = []

  const flagInline = input.flags.values.get(key)
  const flagFile = input.flags.secretFiles.get(key)
  layers.push({
    ...(flagInline !== undefined && {inline: {origin: {layer: 'flag', name: flag}, raw: flagInline}}),
    ...(flagFile !== undefined && {file: {origin: {layer: 'flag', name: `${flag}-file`}, secretPath: flagFile}}),
    both: `${flag} and ${flag}-file`,
  })

  const envInline = input.env[env]
  const envFile = def.secret ? input.env[`${env}_FILE`] : undefined
  layers.push({
    ...(envInline !== undefined && envInline !== '' && {inline: {origin: {layer: 'env', name: env}, raw: envInline}}),
    ...(envFile !== undefined &&
      envFile !== '' && {file: {origin: {layer: 'env', name: `${env}_FILE`}, secretPath: envFile}}),
    both: `${env} and ${env}_FILE`,
  })

  const fileInline = input.file?.values.get(key)
  const fileRef = input.file?.secretFiles.get(key)
  layers.push({
    ...(fileInline && {inline: {origin: {layer: 'file', name: fileInline.where}, raw: fileInline.raw}}),
    ...(fileRef && {file: {origin: {layer: 'file', name: fileRef.where}, secretPath: String(fileRef.raw)}}),
    both: `${key} and ${key}File`,
  })

  for (const layer of layers) {
    if (layer.inline && layer.file) {
      throw new R58Error(layer.inline.origin.layer === 'flag' ? 'E_USAGE' : 'E_CONFIG', `Both ${layer.both} are set`, {
        field: layer.inline.origin.name,
        hint: 'Give the secret one way only; the file form keeps it out of the process list.',
      })
    }
    const chosen = layer.inline ?? layer.file
    if (chosen) return chosen
  }
  return undefined
}

/**
 * Registers every inline secret present in the environment or the config file, used by this command or
 * not, so that none of them can reach the output through an error message or a server's echo.
 */
export function registerKnownSecrets(env: NodeJS.ProcessEnv, file: ConfigFile | undefined, redactor: Redactor): void {
  for (const [key, def] of Object.entries(SETTINGS) as [SettingKey, SettingDef][]) {
    if (!def.secret) continue
    redactor.add(env[envNameOf(key)])
    const inline = file?.values.get(key)?.raw
    if (typeof inline === 'string') redactor.add(inline)
  }
}

export async function resolveSettings(input: ResolveInput): Promise<Settings> {
  const read = input.readSecretFile ?? readSecretFromFile
  const resolved = new Map<SettingKey, ResolvedSetting>()
  const warnings: string[] = []
  for (const key of input.keys) {
    const def: SettingDef = SETTINGS[key]
    const secret = def.secret === true
    const candidate = pickCandidate(key, input)
    let value: ParsedValue | undefined
    let origin: Origin | undefined
    if (candidate?.secretPath !== undefined) {
      value = await readSecret(candidate.secretPath, candidate.origin, read)
      origin = candidate.origin
    } else if (candidate?.raw !== undefined) {
      if (secret && typeof candidate.raw === 'string') input.redactor.add(candidate.raw)
      value = parseSettingValue(key, candidate.raw, candidate.origin)
      origin = candidate.origin
      if (secret && origin.layer === 'flag') {
        const env = envNameOf(key)
        warnings.push(
          `${origin.name} on the command line is visible to other users in the process list; ` +
            `use ${origin.name}-file or ${env} instead.`,
        )
      }
    } else if (def.default !== undefined) {
      value = parseSettingValue(key, def.default, {layer: 'default', name: 'default'})
      origin = {layer: 'default', name: 'default'}
    }
    if (secret && typeof value === 'string') input.redactor.add(value)
    resolved.set(key, {key, value, origin, secret})
  }
  return new Settings(resolved, warnings, input.file?.path, input.flags.names)
}
