/**
 * The commented config template written by `r58 config init`, generated from the settings registry so it
 * can never fall out of step with the flags and environment variables.
 */
import {
  envNameOf,
  filePathOf,
  flagNameOf,
  SETTING_KEYS,
  SETTINGS,
  type SettingDef,
  type SettingKey,
} from './settings.js'

export interface TemplateValues {
  /** Settings to write uncommented, as given by the operator. */
  values: Map<SettingKey, string | readonly string[]>
  /** Secrets to write as `…File: path`. */
  secretFiles: Map<SettingKey, string>
}

/** A YAML scalar that round-trips as the same string. */
function scalar(text: string): string {
  return /^[\w./:@+-][\w ./:@+,=?&%-]*$/.test(text) && !/^(true|false|yes|no|null|~|on|off|\d[\d.]*)$/i.test(text)
    ? text
    : JSON.stringify(text)
}

function value(raw: string | number | boolean | readonly string[]): string {
  if (Array.isArray(raw)) return `[${raw.map((item) => scalar(String(item))).join(', ')}]`
  return scalar(String(raw))
}

function describe(key: SettingKey, def: SettingDef): string {
  const env = envNameOf(key)
  const forms = def.secret
    ? `env ${env} or ${env}_FILE, flag --${flagNameOf(key)}-file`
    : `env ${env}, flag --${flagNameOf(key)}`
  return `  # ${def.summary}. (${forms})`
}

export function renderConfigTemplate(given: TemplateValues = {values: new Map(), secretFiles: new Map()}): string {
  const lines = [
    '# r58 configuration.',
    '# Precedence: command-line flags > R58_* environment variables > this file > built-in defaults.',
    '# Secrets: prefer the ...File form (a path to a file holding only the secret, mode 0600) or an',
    '# environment variable. `r58 config show` prints the effective values and where each came from.',
  ]
  let section = ''
  for (const key of SETTING_KEYS) {
    const def: SettingDef = SETTINGS[key]
    const [group, name] = filePathOf(key)
    if (group !== section) {
      lines.push('', `${group}:`)
      section = group
    }
    lines.push(describe(key, def))
    const secretFile = given.secretFiles.get(key)
    const inline = given.values.get(key)
    if (secretFile !== undefined) {
      lines.push(`  ${name}File: ${scalar(secretFile)}`)
    } else if (inline !== undefined) {
      lines.push(`  ${name}: ${value(inline)}`)
    } else if (def.secret) {
      lines.push(`  # ${name}File: /etc/r58/${flagNameOf(key)}`)
    } else if (def.default !== undefined) {
      lines.push(`  # ${name}: ${value(def.default)}`)
    } else {
      lines.push(`  # ${name}: ${def.example === undefined ? '' : value(def.example)}`.trimEnd())
    }
  }
  return `${lines.join('\n')}\n`
}
