/**
 * Colour and glyphs for human output. Colour only on a TTY, never under NO_COLOR (https://no-color.org),
 * and FORCE_COLOR wins over both (chalk's own detection ignores NO_COLOR, hence this module).
 */
import {Chalk, type ChalkInstance} from 'chalk'
import type {CheckStatus} from '../report/check.js'

export type ColorLevel = 0 | 1 | 2 | 3

export function colorLevel(env: NodeJS.ProcessEnv, stream: {isTTY?: boolean}): ColorLevel {
  const force = env['FORCE_COLOR']
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1
    const level = Number.parseInt(force, 10)
    return Number.isNaN(level) || level <= 0 ? 0 : (Math.min(level, 3) as ColorLevel)
  }
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0
  if (!stream.isTTY || env['TERM'] === 'dumb') return 0
  return 1
}

export interface Style {
  readonly chalk: ChalkInstance
  glyph(status: CheckStatus): string
  status(status: CheckStatus, text: string): string
  bold(text: string): string
  dim(text: string): string
  /** The terminal's width when output goes to one; undefined in pipes and logs, where nothing is cut. */
  readonly columns: number | undefined
}

const GLYPH: Record<CheckStatus, string> = {pass: '✓', warn: '!', fail: '✗', skip: '-', cancelled: '^C', unknown: '?'}

export function createStyle(level: ColorLevel, columns?: number): Style {
  const chalk = new Chalk({level})
  const paint: Record<CheckStatus, (text: string) => string> = {
    pass: chalk.green,
    warn: chalk.yellow,
    fail: chalk.red,
    skip: chalk.dim,
    cancelled: chalk.magenta,
    unknown: chalk.cyan,
  }
  return {
    chalk,
    glyph: (status) => paint[status](GLYPH[status]),
    status: (status, text) => paint[status](text),
    bold: (text) => chalk.bold(text),
    dim: (text) => chalk.dim(text),
    columns: columns !== undefined && columns > 0 ? columns : undefined,
  }
}

/** The style for stdout of this process. */
export function stdoutStyle(env: NodeJS.ProcessEnv = process.env): Style {
  return createStyle(colorLevel(env, process.stdout), process.stdout.isTTY ? process.stdout.columns : undefined)
}

/** The style for stderr of this process (errors, warnings). */
export function stderrStyle(env: NodeJS.ProcessEnv = process.env): Style {
  return createStyle(colorLevel(env, process.stderr))
}
