/**
 * CST-level edit primitives for mediamtx.yml. Each returns text splices (`TextEdit`s) at byte offsets found
 * by the CST index (config-doc.ts), so every byte outside an edited key stays as it was: comments, blank
 * lines, quoting, `yes/no`, inline comments, list indentation. New lines follow the local style.
 */
import {R58Error} from '../errors.js'
import type {BlockMapNode, BlockSeqNode, ConfigDoc, FlowSeqNode, MapEntry, SeqItem} from './config-doc.js'
import {boolStyleOf, type FileStyle, formatScalar, type Quote} from './yaml-style.js'

export interface TextEdit {
  start: number
  end: number
  text: string
}

/** Applies non-overlapping splices (insertions at one offset keep their order). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits
    .map((edit, order) => ({edit, order}))
    .sort((a, b) => a.edit.start - b.edit.start || a.order - b.order)
    .map((e) => e.edit)
  let out = ''
  let at = 0
  for (const edit of sorted) {
    if (edit.start < at || edit.end < edit.start) {
      throw new Error(`overlapping edits at offset ${edit.start}`)
    }
    out += text.slice(at, edit.start) + edit.text
    at = edit.end
  }
  return out + text.slice(at)
}

function refuse(doc: ConfigDoc, offset: number, message: string): R58Error {
  return new R58Error('E_MEDIAMTX_CONFIG', `${doc.where(offset)}: ${message}`, {
    field: doc.path,
    hint: 'Edit this part of the file by hand, or rewrite it in plain block style and run the command again.',
  })
}

const spaces = (n: number) => ' '.repeat(n)

/** Where the lines of a top-level entry end: after its value and the more-indented comment lines under it. */
export function extentEnd(doc: ConfigDoc, entry: MapEntry): number {
  const column = doc.column(entry.keyStart)
  let offset = doc.lineEnd(entry.end)
  for (;;) {
    if (offset >= doc.text.length) return doc.text.length
    const lineEnd = doc.lineEnd(offset)
    const line = doc.text.slice(offset, lineEnd)
    const match = /^( *)#/.exec(line)
    if (!match || (match[1] ?? '').length <= column) return offset
    offset = lineEnd
  }
}

/** The column of the indented comment lines right under an entry (the commented-out examples), if any. */
export function commentColumnUnder(doc: ConfigDoc, entry: MapEntry): number | undefined {
  const next = doc.lineEnd(entry.end)
  const match = /^( +)#/.exec(doc.text.slice(next, doc.lineEnd(next)))
  return match ? (match[1] ?? '').length : undefined
}

/** The quote character of a commented-out example such as `# username: ''` under an entry. */
export function commentedQuoteUnder(doc: ConfigDoc, entry: MapEntry): Quote | undefined {
  const tail = doc.text.slice(doc.lineEnd(entry.end), extentEnd(doc, entry))
  const match = /#\s*\w+:\s*(['"])\1/.exec(tail)
  return match ? (match[1] as Quote) : undefined
}

/** Lines preceded by `column` spaces, each ending with the file's newline. */
function block(lines: readonly string[], eol: string): string {
  return lines.map((line) => `${line}${eol}`).join('')
}

/** Offset at which to insert whole lines after `offset`'s line (adds a newline when the file lacks a final one). */
function afterLine(doc: ConfigDoc, offset: number): {at: number; prefix: string} {
  const at = doc.lineEnd(offset)
  const prefix = at === doc.text.length && !doc.text.endsWith('\n') ? doc.eol : ''
  return {at, prefix}
}

// ---------------------------------------------------------------------------------------------------------------
// Scalars

/** Replaces a scalar (or fills an empty value) keeping its quote character and boolean spelling. */
export function setScalar(doc: ConfigDoc, entry: MapEntry, value: unknown, style: FileStyle, quote?: Quote): TextEdit {
  if (entry.hasProps) throw refuse(doc, entry.keyStart, `${entry.key} has an anchor or tag; it is not edited`)
  const node = entry.node
  if (node === null)
    return {start: entry.colon + 1, end: entry.colon + 1, text: ` ${formatScalar(value, style, {quote})}`}
  if (node.kind === 'scalar' && node.style !== 'block') {
    // An empty quoted string ('' or "") only needed its quotes for being empty.
    const quotedBefore = node.style !== 'plain' && node.source.length > 2
    const keep: Quote | undefined = quotedBefore ? (node.style === 'single' ? "'" : '"') : quote
    const text = formatScalar(value, style, {
      quote: typeof value === 'string' ? keep : undefined,
      bool: boolStyleOf(node.source),
    })
    return {start: node.start, end: node.end, text}
  }
  return replaceValue(doc, entry, formatScalar(value, style, {quote}))
}

/** Replaces the whole value of an entry with inline text (a scalar or a flow collection). */
export function replaceValue(doc: ConfigDoc, entry: MapEntry, inline: string): TextEdit {
  if (entry.hasProps) throw refuse(doc, entry.keyStart, `${entry.key} has an anchor or tag; it is not edited`)
  const node = entry.node
  if (node === null) return {start: entry.colon + 1, end: entry.colon + 1, text: ` ${inline}`}
  if (node.kind === 'block-seq' || node.kind === 'block-map') {
    // The block starts on a later line: drop it whole, value goes after the colon.
    return {start: entry.colon + 1, end: doc.lineEnd(node.end) - lineBreakLength(doc, node.end), text: ` ${inline}`}
  }
  return {start: node.start, end: node.end, text: inline}
}

function lineBreakLength(doc: ConfigDoc, offset: number): number {
  const end = doc.lineEnd(offset)
  if (doc.text[end - 1] !== '\n') return 0
  return doc.text[end - 2] === '\r' ? 2 : 1
}

/** Renames a key in place (`webrtcICEHostNAT1To1IPs` → `webrtcAdditionalHosts`); its value and comments stay. */
export function renameKey(entry: MapEntry, name: string): TextEdit {
  return {start: entry.keyStart, end: entry.keyEnd, text: name}
}

// ---------------------------------------------------------------------------------------------------------------
// Flow lists: `[a, b]`

/** Rewrites a one-line flow list keeping the kept items' source text; multi-line lists only get appends. */
export function editFlowList(
  doc: ConfigDoc,
  node: FlowSeqNode,
  keep: readonly boolean[],
  appended: readonly string[],
): TextEdit[] {
  const removing = keep.some((k) => !k)
  if (!removing && appended.length === 0) return []
  const [first, second] = node.items
  const sep = first && second ? doc.text.slice(first.end, second.start) : ', '
  const separator = /^\s*,\s*$/.test(sep) && !sep.includes('\n') ? sep : ', '
  if (node.multiline || node.comments) {
    if (removing) throw refuse(doc, node.start, 'cannot remove items from a flow list that spans lines or has comments')
    const last = node.items.at(-1)
    if (!last) return [{start: node.start + 1, end: node.start + 1, text: appended.join(separator)}]
    return [{start: last.end, end: last.end, text: appended.map((a) => `${separator}${a}`).join('')}]
  }
  const openPad = first ? doc.text.slice(node.start + 1, first.start) : ''
  const last = node.items.at(-1)
  const closePad = last ? doc.text.slice(last.end, node.close) : ''
  const kept = node.items.filter((_, i) => keep[i] !== false).map((item) => doc.text.slice(item.start, item.end))
  const items = [...kept, ...appended]
  const text = items.length === 0 ? '[]' : `[${openPad}${items.join(separator)}${closePad}]`
  return [{start: node.start, end: node.end, text}]
}

// ---------------------------------------------------------------------------------------------------------------
// Block lists

export interface SeqLayout {
  /** Column of the dash. */
  dash: number
  /** Column of the keys of map items. */
  key: number
}

/** The layout of a block list's items, from its last item (sibling style). */
export function seqLayoutOf(doc: ConfigDoc, node: BlockSeqNode): SeqLayout {
  const item = node.items.at(-1) ?? node.items[0]
  const dash = item ? doc.column(item.dash) : 2
  const firstKey = item?.node?.kind === 'block-map' ? item.node.entries[0] : undefined
  return {dash, key: firstKey ? doc.column(firstKey.keyStart) : dash + 2}
}

/** Lines of one list item: `- value`, or `- key: value` followed by the other keys of a map item. */
export function renderSeqItem(value: unknown, layout: SeqLayout, style: FileStyle, quoted: QuotedKeys): string[] {
  const dash = `${spaces(layout.dash)}-${spaces(layout.key - layout.dash - 1)}`
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const lines = renderMapLines(value as Record<string, unknown>, layout.key, style, quoted)
    if (lines.length === 0) return [`${spaces(layout.dash)}- {}`]
    lines[0] = `${dash}${(lines[0] ?? '').slice(layout.key)}`
    return lines
  }
  return [`${dash}${formatScalar(value, style)}`]
}

/** Keys whose values are always quoted (credentials), with the quote to use. */
export type QuotedKeys = ReadonlyMap<string, Quote>

/** Block-style lines for a mapping at `column`. */
export function renderMapLines(
  value: Record<string, unknown>,
  column: number,
  style: FileStyle,
  quoted: QuotedKeys,
): string[] {
  const lines: string[] = []
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const nested = renderMapLines(item as Record<string, unknown>, column + 2, style, quoted)
      lines.push(`${spaces(column)}${key}:`, ...nested)
    } else if (Array.isArray(item)) {
      lines.push(`${spaces(column)}${key}: ${flowList(item, style)}`)
    } else if (item === null) {
      lines.push(`${spaces(column)}${key}:`)
    } else {
      lines.push(`${spaces(column)}${key}: ${formatScalar(item, style, {quote: quoted.get(key)})}`)
    }
  }
  return lines
}

/** `[a, b]` in the file's style. */
export function flowList(items: readonly unknown[], style: FileStyle): string {
  return `[${items.map((item) => formatScalar(item, style)).join(', ')}]`
}

/** Deletes one block-list item: its lines from the dash to the end of its content. */
export function removeSeqItem(doc: ConfigDoc, item: SeqItem): TextEdit {
  return {start: doc.lineStart(item.dash), end: doc.lineEnd(item.end), text: ''}
}

/** Appends item lines after the last item of a block list. */
export function appendSeqItems(doc: ConfigDoc, node: BlockSeqNode, lines: readonly string[]): TextEdit {
  const last = node.items.at(-1) as SeqItem
  const {at, prefix} = afterLine(doc, last.end)
  return {start: at, end: at, text: prefix + block(lines, doc.eol)}
}

/**
 * Turns an empty value (`key:`, `key: []`, a scalar) into a block list. The items go after the commented-out
 * examples that MediaMTX's default file keeps under `webrtcICEServers2: []`, indented like them.
 */
export function replaceWithBlockList(doc: ConfigDoc, entry: MapEntry, lines: readonly string[]): TextEdit[] {
  if (entry.hasProps) throw refuse(doc, entry.keyStart, `${entry.key} has an anchor or tag; it is not edited`)
  const edits: TextEdit[] = []
  const node = entry.node
  if (node && (node.kind === 'block-seq' || node.kind === 'block-map')) {
    return [{start: doc.lineEnd(entry.colon), end: doc.lineEnd(node.end), text: block(lines, doc.eol)}]
  }
  if (node) {
    let start = node.start
    while (start > entry.colon + 1 && doc.text[start - 1] === ' ') start--
    edits.push({start, end: node.end, text: ''})
  }
  const at = extentEnd(doc, entry)
  const prefix = at === doc.text.length && !doc.text.endsWith('\n') ? doc.eol : ''
  edits.push({start: at, end: at, text: prefix + block(lines, doc.eol)})
  return edits
}

/** Removes every item of a block list and writes `[]` after the key (comments under the key stay). */
export function emptyBlockList(doc: ConfigDoc, entry: MapEntry, node: BlockSeqNode): TextEdit[] {
  return [{start: entry.colon + 1, end: entry.colon + 1, text: ' []'}, ...node.items.map((i) => removeSeqItem(doc, i))]
}

// ---------------------------------------------------------------------------------------------------------------
// Mappings

/** Inserts `key: value` lines after the last entry of a block mapping (same column as its keys). */
export function appendMapLines(doc: ConfigDoc, node: BlockMapNode, lines: readonly string[]): TextEdit {
  const last = node.entries.at(-1) as MapEntry
  const {at, prefix} = afterLine(doc, last.end)
  return {start: at, end: at, text: prefix + block(lines, doc.eol)}
}

/** Deletes a whole entry of a mapping (top level: with the indented comment lines under it). */
export function removeEntry(doc: ConfigDoc, entry: MapEntry, topLevel: boolean): TextEdit {
  const end = topLevel ? extentEnd(doc, entry) : doc.lineEnd(entry.end)
  return {start: doc.lineStart(entry.keyStart), end, text: ''}
}

/** Inserts whole lines right after a top-level entry (and its indented comments). */
export function insertAfterEntry(doc: ConfigDoc, entry: MapEntry, lines: readonly string[]): TextEdit {
  const at = extentEnd(doc, entry)
  const prefix = at === doc.text.length && !doc.text.endsWith('\n') ? doc.eol : ''
  return {start: at, end: at, text: prefix + block(lines, doc.eol)}
}

/** Inserts whole lines before a top-level entry, above the comment block that documents it. */
export function insertBeforeEntry(doc: ConfigDoc, entry: MapEntry, lines: readonly string[]): TextEdit {
  let at = doc.lineStart(entry.keyStart)
  while (at > 0) {
    const previous = doc.lineStart(at - 1)
    if (!/^#/.test(doc.text.slice(previous, at))) break
    at = previous
  }
  return {start: at, end: at, text: block(lines, doc.eol)}
}

/** Appends lines at the end of the file. */
export function appendAtEnd(doc: ConfigDoc, lines: readonly string[]): TextEdit {
  const at = doc.text.length
  const prefix = doc.text.length > 0 && !doc.text.endsWith('\n') ? doc.eol : ''
  return {start: at, end: at, text: prefix + block(lines, doc.eol)}
}
