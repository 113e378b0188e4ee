/**
 * The local style of a mediamtx.yml, so that new text looks as if the file's author had typed it: `yes/no`
 * or `true/false`, single or double quotes, where block lists put their dashes. Scalars are written plain
 * only when both YAML 1.1 (MediaMTX ≤ v1.16.1) and YAML 1.2 read them back as the same string.
 */
import {parse} from 'yaml'
import type {ConfigDoc, YNode} from './config-doc.js'

export type Quote = "'" | '"'

export interface FileStyle {
  bool: 'yes-no' | 'true-false'
  quote: Quote
  eol: '\n' | '\r\n'
  /** Column of the dashes of block lists under top-level keys (0 before v1.19, 2 from it). */
  seqIndent: number
}

const BOOL_WORD = /^(yes|no|true|false|on|off)$/i

function visit(node: YNode | null, fn: (node: YNode) => void): void {
  if (!node) return
  fn(node)
  if (node.kind === 'flow-seq') for (const item of node.items) visit(item.node, fn)
  if (node.kind === 'block-seq') for (const item of node.items) visit(item.node, fn)
  if (node.kind === 'block-map') for (const entry of node.entries) visit(entry.node, fn)
}

/** The style the file already uses (majority of its scalars; defaults of the newest release otherwise). */
export function detectStyle(doc: ConfigDoc): FileStyle {
  let yesNo = 0
  let trueFalse = 0
  let single = 0
  let double = 0
  let seqIndent: number | undefined
  for (const entry of doc.root?.entries ?? []) {
    const node = entry.node
    if (node?.kind === 'block-seq' && seqIndent === undefined && node.items[0]) {
      seqIndent = doc.column(node.items[0].dash)
    }
    visit(node, (n) => {
      if (n.kind !== 'scalar') return
      if (n.style === 'single') single++
      else if (n.style === 'double') double++
      else if (n.style === 'plain' && BOOL_WORD.test(n.source)) {
        if (/^(yes|no|on|off)$/i.test(n.source)) yesNo++
        else trueFalse++
      }
    })
  }
  return {
    bool: yesNo > trueFalse ? 'yes-no' : 'true-false',
    quote: double > single ? '"' : "'",
    eol: doc.eol,
    seqIndent: seqIndent ?? 2,
  }
}

/** The boolean spelling a replaced scalar used, if it was a boolean word. */
export function boolStyleOf(source: string): FileStyle['bool'] | undefined {
  if (/^(yes|no|on|off)$/i.test(source)) return 'yes-no'
  if (/^(true|false)$/i.test(source)) return 'true-false'
  return undefined
}

const PLAIN = /^(?::(?=[^\s])|[A-Za-z0-9_./@%+=~$^()])[A-Za-z0-9_./:@%+=~$^()?&!*-]*$/
const plainCache = new Map<string, boolean>()

/** Can `text` be written as a plain scalar and read back as the same string by YAML 1.1 and 1.2? */
export function isPlainSafe(text: string): boolean {
  const cached = plainCache.get(text)
  if (cached !== undefined) return cached
  let safe = PLAIN.test(text) && !text.endsWith(':')
  if (safe) {
    try {
      safe =
        parse(`k: ${text}\n`, {version: '1.1'})?.k === text &&
        parse(`k: ${text}\n`)?.k === text &&
        parse(`[${text}]\n`, {version: '1.1'})?.[0] === text
    } catch {
      safe = false
    }
  }
  if (plainCache.size < 1000) plainCache.set(text, safe)
  return safe
}

export function quoteScalar(text: string, quote: Quote): string {
  const printable = [...text].every((c) => c.charCodeAt(0) >= 0x20)
  if (quote === "'" && printable) return `'${text.replaceAll("'", "''")}'`
  return JSON.stringify(text)
}

export interface ScalarFormat {
  /** Quote with this character (a replaced value was quoted this way, or the field is always quoted). */
  quote?: Quote | undefined
  bool?: FileStyle['bool'] | undefined
}

/** A scalar in the file's style. */
export function formatScalar(value: unknown, style: FileStyle, format: ScalarFormat = {}): string {
  if (typeof value === 'boolean') {
    const words = (format.bool ?? style.bool) === 'yes-no' ? ['yes', 'no'] : ['true', 'false']
    return value ? (words[0] as string) : (words[1] as string)
  }
  if (typeof value === 'number') return String(value)
  if (value === null || value === undefined) return format.quote ? quoteScalar('', format.quote) : "''"
  const text = String(value)
  if (format.quote) return quoteScalar(text, format.quote)
  return isPlainSafe(text) ? text : quoteScalar(text, style.quote)
}
