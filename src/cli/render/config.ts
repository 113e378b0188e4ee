/** Human rendering of `config show` and `config init`. */
import type {EffectiveConfig} from '../../config/effective.js'
import type {InitConfigResult} from '../../config/init.js'
import type {Style} from '../style.js'
import {table} from './table.js'

export function renderEffectiveConfig(config: EffectiveConfig, style: Style): string {
  const header = `Config file: ${config.configFile ?? style.dim('none (using flags, environment and defaults)')}`
  const rows = config.settings.map((s) => [
    s.key,
    s.value === null ? style.dim('(unset)') : Array.isArray(s.value) ? s.value.join(',') : String(s.value),
    style.dim(s.source === 'unset' ? '' : s.source === 'default' ? 'default' : `${s.source} ${s.origin ?? ''}`),
  ])
  return `${header}\n\n${table([['SETTING', 'VALUE', 'SOURCE'].map((h) => style.bold(h)), ...rows], '', style.columns)}`
}

export function renderInitConfig(result: InitConfigResult): string {
  const lines = [`${result.created ? 'Wrote' : 'Replaced'} ${result.path} (mode ${result.mode}).`]
  if (result.backupPath) lines.push(`Previous file kept as ${result.backupPath}.`)
  if (result.written.length > 0) lines.push(`Set: ${result.written.join(', ')}.`)
  lines.push('Edit it, then check the effective values with `r58 config show`.')
  return lines.join('\n')
}
