/**
 * One parse of a mediamtx.yml for editing and validating it: the YAML 1.1 values MediaMTX sees, the source
 * position of every top-level key, and an index of the concrete syntax tree (byte offsets of keys, values,
 * list items and flow brackets) that the CST-level editor splices into. The text is never re-serialised.
 */
import {Composer, type CST, type Document, isMap, isPair, isScalar, LineCounter, Parser, visit} from 'yaml'
import {R58Error} from '../errors.js'

export interface ScalarNode {
  kind: 'scalar'
  start: number
  /** End of the scalar's text (exclusive), quotes included. */
  end: number
  style: 'plain' | 'single' | 'double' | 'block'
  source: string
}

export interface AliasNode {
  kind: 'alias'
  start: number
  end: number
}

export interface FlowItem {
  start: number
  end: number
  node: YNode
}

export interface FlowSeqNode {
  kind: 'flow-seq'
  start: number
  /** Just after the closing bracket. */
  end: number
  close: number
  items: FlowItem[]
  /** Spans lines or holds comments: edited item by item, never rewritten. */
  multiline: boolean
  comments: boolean
}

export interface FlowMapNode {
  kind: 'flow-map'
  start: number
  end: number
}

export interface SeqItem {
  /** Offset of the `-`. */
  dash: number
  node: YNode | null
  /** End of the item's content (exclusive): no trailing comment or blank line. */
  end: number
}

export interface BlockSeqNode {
  kind: 'block-seq'
  start: number
  end: number
  items: SeqItem[]
}

export interface MapEntry {
  key: string
  keyStart: number
  keyEnd: number
  /** Offset of the `:`. */
  colon: number
  /** An anchor or a tag sits between the key and the value. */
  hasProps: boolean
  /** `? key` or a non-scalar key: never edited. */
  complex: boolean
  node: YNode | null
  /** End of the entry's content (exclusive). */
  end: number
}

export interface BlockMapNode {
  kind: 'block-map'
  start: number
  end: number
  entries: MapEntry[]
}

export type YNode = ScalarNode | AliasNode | FlowSeqNode | FlowMapNode | BlockSeqNode | BlockMapNode

export interface TextPos {
  line: number
  col: number
}

type CstItem = CST.BlockMap['items'][number]

function tokenEnd(token: CST.SourceToken): number {
  return token.offset + token.source.length
}

function hasComment(tokens: readonly CST.SourceToken[] | undefined): boolean {
  return tokens?.some((t) => t.type === 'comment') ?? false
}

function isProps(token: CST.SourceToken): boolean {
  return token.type === 'anchor' || token.type === 'tag'
}

/** Builds the index node of a CST token; null for an absent value. */
function indexNode(token: CST.Token | undefined, text: string): YNode | null {
  if (!token) return null
  switch (token.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar': {
      const style = token.type === 'scalar' ? 'plain' : token.type === 'single-quoted-scalar' ? 'single' : 'double'
      return {kind: 'scalar', start: token.offset, end: token.offset + token.source.length, style, source: token.source}
    }
    case 'block-scalar': {
      let end = token.offset + token.source.length
      while (end > token.offset && /\s/.test(text[end - 1] ?? '')) end--
      const start = token.props[0]?.offset ?? token.offset
      return {kind: 'scalar', start, end, style: 'block', source: text.slice(start, end)}
    }
    case 'alias':
      return {kind: 'alias', start: token.offset, end: token.offset + token.source.length}
    case 'flow-collection': {
      const close = token.end.find((t) => t.type === 'flow-seq-end' || t.type === 'flow-map-end')
      const end = close ? tokenEnd(close) : token.offset + 1
      if (token.start.type === 'flow-map-start') return {kind: 'flow-map', start: token.offset, end}
      const items: FlowItem[] = []
      let comments = hasComment(token.end.slice(0, close ? token.end.indexOf(close) : 0))
      for (const item of token.items) {
        if (hasComment(item.start) || hasComment(item.sep)) comments = true
        const node = indexNode(item.value, text)
        if (node) items.push({start: node.start, end: node.end, node})
        if (item.value && 'end' in item.value && Array.isArray(item.value.end)) {
          if (hasComment(item.value.end as CST.SourceToken[])) comments = true
        }
      }
      return {
        kind: 'flow-seq',
        start: token.offset,
        end,
        close: close?.offset ?? token.offset,
        items,
        multiline: text.slice(token.offset, end).includes('\n'),
        comments,
      }
    }
    case 'block-seq': {
      const items: SeqItem[] = token.items.map((item) => {
        const dash = item.start.find((t) => t.type === 'seq-item-ind')
        const node = indexNode(item.value, text)
        const dashOffset = dash?.offset ?? token.offset
        return {dash: dashOffset, node, end: node ? node.end : dashOffset + 1}
      })
      return {kind: 'block-seq', start: token.offset, end: items.at(-1)?.end ?? token.offset, items}
    }
    case 'block-map':
      return indexBlockMap(token, text)
    default:
      return null
  }
}

function indexEntry(item: CstItem, text: string): MapEntry {
  const colonToken = item.sep?.find((t) => t.type === 'map-value-ind')
  const keyNode = indexNode(item.key ?? undefined, text)
  const complex = item.start.some((t) => t.type === 'explicit-key-ind') || keyNode === null || keyNode.kind !== 'scalar'
  const keyStart = keyNode?.start ?? item.start[0]?.offset ?? 0
  const keyEnd = keyNode?.end ?? keyStart
  const key =
    keyNode?.kind === 'scalar'
      ? keyNode.style === 'plain'
        ? keyNode.source
        : keyNode.source.slice(1, -1)
      : text.slice(keyStart, keyEnd)
  const colon = colonToken?.offset ?? keyEnd
  const node = indexNode(item.value, text)
  return {
    key,
    keyStart,
    keyEnd,
    colon,
    hasProps: item.sep?.some(isProps) ?? false,
    complex,
    node,
    end: node ? node.end : colon + 1,
  }
}

function indexBlockMap(token: CST.BlockMap, text: string): BlockMapNode {
  const entries = token.items.map((item) => indexEntry(item, text))
  return {kind: 'block-map', start: token.offset, end: entries.at(-1)?.end ?? token.offset, entries}
}

/** Values of a mapping node, for `Document#getIn`-free lookups. */
interface PairLike {
  key: unknown
  value: unknown
}

export class ConfigDoc {
  readonly text: string
  readonly path: string
  readonly eol: '\n' | '\r\n'
  /** The top level; null when it is not a block mapping (then nothing can be edited). */
  readonly root: BlockMapNode | null
  readonly document: Document
  readonly #lines: LineCounter
  readonly #values = new Map<string, unknown>()
  readonly #pairs = new Map<string, PairLike>()
  readonly #entries = new Map<string, MapEntry>()

  constructor(text: string, path: string, document: Document, root: BlockMapNode | null, lines: LineCounter) {
    this.text = text
    this.path = path
    this.document = document
    this.root = root
    this.#lines = lines
    this.eol = /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n'
    const contents = document.contents as {items?: PairLike[]} | null
    for (const pair of contents?.items ?? []) {
      const key = (pair.key as {value?: unknown} | null)?.value
      if (typeof key === 'string') this.#pairs.set(key, pair)
    }
    for (const entry of root?.entries ?? []) if (!entry.complex) this.#entries.set(entry.key, entry)
  }

  /** Top-level keys, in file order. */
  keys(): string[] {
    return [...this.#pairs.keys()]
  }

  has(key: string): boolean {
    return this.#pairs.has(key)
  }

  /** The YAML 1.1 value of a top-level key (undefined when absent), as MediaMTX reads it. */
  value(key: string): unknown {
    if (this.#values.has(key)) return this.#values.get(key)
    const pair = this.#pairs.get(key)
    const node = pair?.value as {toJS?: (doc: Document, options: {maxAliasCount: number}) => unknown} | null
    const value = pair === undefined ? undefined : node?.toJS ? node.toJS(this.document, {maxAliasCount: 100}) : null
    this.#values.set(key, value)
    return value
  }

  /** The whole top level as plain data (slower; for reports). */
  raw(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const key of this.keys()) out[key] = this.value(key)
    return out
  }

  /** The CST entry of a top-level key. */
  entry(key: string): MapEntry | undefined {
    return this.#entries.get(key)
  }

  /** Source range of a value node of the Document (any depth), for positions. */
  rangeOf(path: readonly (string | number)[]): [number, number] | undefined {
    const node = this.document.getIn(path, true) as {range?: [number, number, number]} | undefined
    return node?.range ? [node.range[0], node.range[1]] : undefined
  }

  /** Range of the key of a pair (any depth). */
  keyRangeOf(path: readonly (string | number)[]): [number, number] | undefined {
    const parent = (path.length > 1 ? this.document.getIn(path.slice(0, -1), true) : this.document.contents) as {
      items?: {key?: {value?: unknown; range?: [number, number, number]}}[]
    } | null
    const last = path.at(-1)
    const pair = parent?.items?.find((p) => p.key?.value === last)
    return pair?.key?.range ? [pair.key.range[0], pair.key.range[1]] : undefined
  }

  pos(offset: number): TextPos {
    return this.#lines.linePos(offset)
  }

  /** `path:line:col` of an offset. */
  where(offset: number): string {
    const {line, col} = this.pos(offset)
    return `${this.path}:${line}:${col}`
  }

  /** Offset of the start of the line holding `offset`. */
  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1
  }

  /** Offset just after the end of the line holding `offset` (after its newline, or the end of the text). */
  lineEnd(offset: number): number {
    const next = this.text.indexOf('\n', offset)
    return next === -1 ? this.text.length : next + 1
  }

  column(offset: number): number {
    return offset - this.lineStart(offset)
  }
}

function configError(path: string, where: string, message: string, hint?: string): R58Error {
  return new R58Error('E_MEDIAMTX_CONFIG', `${where}: ${message}`, {
    field: path,
    hint: hint ?? 'MediaMTX would refuse to load this file; fix it first.',
  })
}

/**
 * Parses a mediamtx.yml. Throws E_MEDIAMTX_CONFIG naming `path:line:col` for anything MediaMTX would refuse
 * to load as YAML: syntax errors, tabs as indentation, duplicate keys, NUL bytes, an empty file, several
 * documents, or a top level that is not a mapping.
 */
export function parseConfigDoc(text: string, path: string): ConfigDoc {
  const lines = new LineCounter()
  const at = (offset: number) => {
    const {line, col} = lines.linePos(offset)
    return `${path}:${line}:${col}`
  }
  const nul = text.indexOf('\u0000')
  const tokens = [...new Parser(lines.addNewLine).parse(text)]
  if (nul !== -1) {
    throw configError(path, at(nul), 'NUL byte: this is not a text file', 'Point --file at the mediamtx.yml itself.')
  }
  // Duplicate keys are found below in one pass; the composer's own check is quadratic per mapping.
  const documents = [...new Composer({version: '1.1', uniqueKeys: false}).compose(tokens)]
  const error = documents.flatMap((d) => d.errors)[0]
  if (error) throw configError(path, at(error.pos[0]), error.message.split('\n')[0] ?? 'invalid YAML')
  const duplicate = documents[0] ? firstDuplicateKey(documents[0]) : undefined
  if (duplicate !== undefined) {
    throw configError(path, at(duplicate.offset), `${duplicate.key}: map keys must be unique (the key appears twice)`)
  }
  const document = documents[0]
  if (documents.length > 1) {
    const second = documents[1]?.range?.[0] ?? 0
    throw configError(path, at(second), 'more than one YAML document; MediaMTX reads a single mapping')
  }
  if (!document || document.contents === null || document.contents === undefined) {
    throw configError(path, `${path}:1:1`, 'the file is empty', 'Start from the default mediamtx.yml of your release.')
  }
  assertAliasesBounded(document, path, at)
  if (!isMap(document.contents)) {
    const range = (document.contents as {range?: [number, number, number]}).range
    throw configError(path, at(range?.[0] ?? 0), 'the top level must be a mapping of settings')
  }
  const docToken = tokens.find((t): t is CST.Document => t.type === 'document')
  const root = docToken?.value?.type === 'block-map' ? indexBlockMap(docToken.value, text) : null
  return new ConfigDoc(text, path, document, root, lines)
}

/** How many alias expansions a document may need, as for `toJS` everywhere r58 reads a mediamtx.yml. */
export const MAX_ALIAS_COUNT = 100

/**
 * Refuses a document whose aliases expand beyond reason (a "billion laughs" alias bomb): the yaml library
 * would throw a plain error on first access, and expanding it anyway would exhaust memory. MediaMTX's YAML
 * readers refuse such files too ("excessive aliasing").
 */
export function assertAliasesBounded(document: Document, path: string, at: (offset: number) => string): void {
  let first: number | undefined
  visit(document, {
    Alias(_, node) {
      first = node.range?.[0] ?? 0
      return visit.BREAK
    },
  })
  if (first === undefined) return
  try {
    document.toJS({maxAliasCount: MAX_ALIAS_COUNT})
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error
    throw configError(
      path,
      at(first),
      'too many aliases: expanding them would take more than the file could ever need (an alias bomb?)',
      'Write the values out instead of nesting aliases of aliases.',
    )
  }
}

/** The first key that repeats within one mapping, at any depth. */
function firstDuplicateKey(document: Document): {key: string; offset: number} | undefined {
  let found: {key: string; offset: number} | undefined
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? pair.key.value : pair.key
        if (seen.has(key)) {
          found = {key: String(key), offset: (pair.key as {range?: [number]} | null)?.range?.[0] ?? 0}
          return visit.BREAK
        }
        seen.add(key)
      }
      return undefined
    },
  })
  return found
}
