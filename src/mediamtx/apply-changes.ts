/**
 * Writes key changes into the text of a mediamtx.yml with the smallest CST-level edits: a scalar is replaced
 * in place, list items are appended after their siblings or deleted line by line, a deprecated key is
 * renamed where it stands, and a new key goes next to its neighbours in MediaMTX's own order.
 */
import {isDeepStrictEqual} from 'node:util'
import {R58Error} from '../errors.js'
import type {BlockMapNode, BlockSeqNode, ConfigDoc, MapEntry, YNode} from './config-doc.js'
import {
  appendAtEnd,
  appendMapLines,
  appendSeqItems,
  applyTextEdits,
  commentColumnUnder,
  commentedQuoteUnder,
  editFlowList,
  emptyBlockList,
  flowList,
  insertAfterEntry,
  insertBeforeEntry,
  type QuotedKeys,
  removeEntry,
  removeSeqItem,
  renameKey,
  renderMapLines,
  renderSeqItem,
  replaceValue,
  replaceWithBlockList,
  type SeqLayout,
  seqLayoutOf,
  setScalar,
  type TextEdit,
} from './cst-edit.js'
import type {Change} from './operations.js'
import {type FileStyle, formatScalar, type Quote} from './yaml-style.js'

/** MediaMTX's order of the keys r58 writes (newest default file, with the old names where they stood). */
export const KEY_ORDER: readonly string[] = [
  'webrtc',
  'webrtcDisable',
  'webrtcAddress',
  'webrtcEncryption',
  'webrtcServerKey',
  'webrtcServerCert',
  'webrtcAllowOrigin',
  'webrtcAllowOrigins',
  'webrtcTrustedProxies',
  'webrtcLocalUDPAddress',
  'webrtcLocalTCPAddress',
  'webrtcIPsFromInterfaces',
  'webrtcIPsFromInterfacesList',
  'webrtcAdditionalHosts',
  'webrtcICEServers',
  'webrtcICEServers2',
  'webrtcICEInterfaces',
  'webrtcICEHostNAT1To1IPs',
  'webrtcICEUDPMuxAddress',
  'webrtcICETCPMuxAddress',
  'webrtcSTUNGatherTimeout',
  'webrtcHandshakeTimeout',
  'webrtcTrackGatherTimeout',
  'pathDefaults',
  'paths',
]

const CREDENTIAL_KEYS = ['username', 'password', 'user', 'pass']

const isScalar = (value: unknown): boolean => value === null || typeof value !== 'object'
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Same list item? ICE servers are the same server when their URLs match. */
function sameItem(a: unknown, b: unknown): boolean {
  if (isRecord(a) && isRecord(b) && typeof a['url'] === 'string') return a['url'] === b['url']
  return isDeepStrictEqual(a, b)
}

function refuse(doc: ConfigDoc, offset: number, message: string): R58Error {
  return new R58Error('E_MEDIAMTX_CONFIG', `${doc.where(offset)}: ${message}`, {
    field: doc.path,
    hint: 'Edit this part of the file by hand, or rewrite it in plain block style and run the command again.',
  })
}

class Writer {
  readonly doc: ConfigDoc
  readonly style: FileStyle
  readonly edits: TextEdit[] = []

  constructor(doc: ConfigDoc, style: FileStyle) {
    this.doc = doc
    this.style = style
  }

  /** The quote credentials use in a list: a sibling's, the commented-out example's, or the file's. */
  credentialQuote(entry: MapEntry | undefined, seq: BlockSeqNode | undefined): QuotedKeys {
    let quote: Quote | undefined
    for (const item of seq?.items ?? []) {
      if (item.node?.kind !== 'block-map') continue
      for (const field of item.node.entries) {
        const node = field.node
        if (CREDENTIAL_KEYS.includes(field.key) && node?.kind === 'scalar' && node.style !== 'plain') {
          quote = node.style === 'single' ? "'" : '"'
        }
      }
    }
    quote ??= (entry && commentedQuoteUnder(this.doc, entry)) ?? this.style.quote
    return new Map(CREDENTIAL_KEYS.map((key) => [key, quote]))
  }

  apply(change: Change): void {
    const doc = this.doc
    const entry = doc.entry(change.renamedFrom ?? change.key)
    if (change.after === undefined) {
      if (entry) this.edits.push(removeEntry(doc, entry, true))
      return
    }
    if (!entry) {
      this.insert(change.key, change.after)
      return
    }
    if (entry.complex) throw refuse(doc, entry.keyStart, `${entry.key} is written as a complex key; it is not edited`)
    if (change.renamedFrom) this.edits.push(renameKey(entry, change.key))
    this.reconcile(entry, doc.value(entry.key), change.after)
  }

  /** Edits one entry's value from `before` to `after`. */
  reconcile(entry: MapEntry, before: unknown, after: unknown): void {
    if (isDeepStrictEqual(before, after)) return
    const doc = this.doc
    const node = entry.node
    if (node?.kind === 'alias') throw refuse(doc, node.start, `${entry.key} is a YAML alias; it is not edited`)
    if (isScalar(after)) {
      this.edits.push(setScalar(doc, entry, after, this.style))
      return
    }
    if (entry.hasProps) throw refuse(doc, entry.keyStart, `${entry.key} has an anchor or tag; it is not edited`)
    if (Array.isArray(after)) {
      const beforeList = Array.isArray(before) ? before : []
      const ofMaps = after.some(isRecord) || beforeList.some(isRecord)
      if (node?.kind === 'block-seq') {
        this.reconcileBlockSeq(entry, node, beforeList, after)
        return
      }
      if (!ofMaps) {
        if (node?.kind === 'flow-seq') {
          const {keep, appended} = matchLists(beforeList, after)
          this.edits.push(
            ...editFlowList(
              doc,
              node,
              keep,
              appended.map((item) => formatScalar(item, this.style)),
            ),
          )
          return
        }
        if (node?.kind === 'scalar' && node.style !== 'block' && isDeepStrictEqual(after[0], before)) {
          // `'*'` → `['*']`: the old scalar keeps its quoting.
          const rest = after.slice(1).map((item) => formatScalar(item, this.style))
          this.edits.push({start: node.start, end: node.end, text: `[${[node.source, ...rest].join(', ')}]`})
          return
        }
        this.edits.push(replaceValue(doc, entry, flowList(after, this.style)))
        return
      }
      if (after.length === 0) {
        this.edits.push(replaceValue(doc, entry, '[]'))
        return
      }
      const dash = commentColumnUnder(doc, entry) ?? this.style.seqIndent
      const layout: SeqLayout = {dash, key: dash + 2}
      const quoted = this.credentialQuote(entry, undefined)
      const lines = after.flatMap((item) => renderSeqItem(item, layout, this.style, quoted))
      this.edits.push(...replaceWithBlockList(doc, entry, lines))
      return
    }
    if (isRecord(after)) {
      if (node?.kind === 'block-map') {
        this.reconcileMap(node, isRecord(before) ? before : {}, after, new Map())
        return
      }
      const lines = renderMapLines(after, doc.column(entry.keyStart) + 2, this.style, new Map())
      if (lines.length === 0) this.edits.push(replaceValue(doc, entry, '{}'))
      else this.edits.push(...replaceWithBlockList(doc, entry, lines))
    }
  }

  reconcileBlockSeq(entry: MapEntry, node: BlockSeqNode, before: unknown[], after: unknown[]): void {
    const doc = this.doc
    if (node.items.length !== before.length) throw refuse(doc, node.start, `${entry.key}: list not understood`)
    const {keep, pairs, appended} = matchLists(before, after)
    const quoted = this.credentialQuote(entry, node)
    node.items.forEach((item, i) => {
      if (!keep[i]) {
        this.edits.push(removeSeqItem(doc, item))
        return
      }
      const target = after[pairs[i] as number]
      if (isDeepStrictEqual(before[i], target)) return
      if (item.node?.kind === 'block-map' && isRecord(before[i]) && isRecord(target)) {
        this.reconcileMap(item.node, before[i] as Record<string, unknown>, target, quoted)
      } else if (item.node?.kind === 'scalar' && isScalar(target)) {
        this.edits.push(this.replaceNode(item.node, target))
      } else {
        throw refuse(doc, item.dash, `${entry.key}: this list item is not in block style; it is not edited`)
      }
    })
    const kept = keep.filter(Boolean).length
    if (kept === 0 && appended.length === 0) {
      this.edits.push(...emptyBlockList(doc, entry, node).slice(0, 1))
      return
    }
    if (appended.length > 0) {
      const layout = seqLayoutOf(doc, node)
      this.edits.push(
        appendSeqItems(
          doc,
          node,
          appended.flatMap((item) => renderSeqItem(item, layout, this.style, quoted)),
        ),
      )
    }
  }

  replaceNode(node: YNode, value: unknown): TextEdit {
    if (node.kind === 'scalar') {
      const quote: Quote | undefined = node.style === 'single' ? "'" : node.style === 'double' ? '"' : undefined
      return {start: node.start, end: node.end, text: formatScalar(value, this.style, {quote})}
    }
    return {start: node.start, end: node.end, text: formatScalar(value, this.style)}
  }

  reconcileMap(
    node: BlockMapNode,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    quoted: QuotedKeys,
  ): void {
    const doc = this.doc
    const column = doc.column(node.entries[0]?.keyStart ?? node.start)
    const added: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(after)) {
      const field = node.entries.find((e) => e.key === key && !e.complex)
      if (!field) {
        added[key] = value
        continue
      }
      if (isDeepStrictEqual(before[key], value)) continue
      if (isScalar(value)) this.edits.push(setScalar(doc, field, value, this.style, quoted.get(key)))
      else this.reconcile(field, before[key], value)
    }
    for (const field of node.entries) {
      if (!field.complex && !(field.key in after) && field.key in before) {
        this.edits.push(removeEntry(doc, field, false))
      }
    }
    const lines = renderMapLines(added, column, this.style, quoted)
    if (lines.length > 0) this.edits.push(appendMapLines(doc, node, lines))
  }

  /** A key the file lacks: after its nearest predecessor in MediaMTX's order, else before its successor. */
  insert(key: string, value: unknown): void {
    const doc = this.doc
    const lines = this.entryLines(key, value)
    const index = KEY_ORDER.indexOf(key)
    if (index !== -1) {
      for (let i = index - 1; i >= 0; i--) {
        const anchor = doc.entry(KEY_ORDER[i] as string)
        if (anchor) {
          this.edits.push(insertAfterEntry(doc, anchor, lines))
          return
        }
      }
      for (let i = index + 1; i < KEY_ORDER.length; i++) {
        const anchor = doc.entry(KEY_ORDER[i] as string)
        if (anchor) {
          this.edits.push(insertBeforeEntry(doc, anchor, lines))
          return
        }
      }
    }
    this.edits.push(appendAtEnd(doc, lines))
  }

  entryLines(key: string, value: unknown): string[] {
    if (isScalar(value)) return [`${key}: ${formatScalar(value, this.style)}`]
    if (Array.isArray(value)) {
      if (value.length === 0 || !value.some(isRecord)) return [`${key}: ${flowList(value, this.style)}`]
      const dash = this.style.seqIndent
      const quoted = new Map(CREDENTIAL_KEYS.map((k) => [k, this.style.quote]))
      return [`${key}:`, ...value.flatMap((item) => renderSeqItem(item, {dash, key: dash + 2}, this.style, quoted))]
    }
    const lines = renderMapLines(value as Record<string, unknown>, 2, this.style, new Map())
    return lines.length === 0 ? [`${key}: {}`] : [`${key}:`, ...lines]
  }
}

/**
 * Matches `before` against `after` as "delete some, keep the rest in order, append the new ones": `keep[i]`
 * says whether before[i] stays, `pairs[i]` is its index in after, `appended` what follows the kept items.
 */
export function matchLists(
  before: readonly unknown[],
  after: readonly unknown[],
): {keep: boolean[]; pairs: (number | undefined)[]; appended: unknown[]} {
  const keep: boolean[] = []
  const pairs: (number | undefined)[] = []
  let j = 0
  for (const item of before) {
    if (j < after.length && sameItem(item, after[j])) {
      keep.push(true)
      pairs.push(j)
      j++
    } else {
      keep.push(false)
      pairs.push(undefined)
    }
  }
  return {keep, pairs, appended: after.slice(j)}
}

/** The text of `doc` with `changes` written in, each as the smallest edit. */
export function applyChanges(doc: ConfigDoc, changes: readonly Change[], style: FileStyle): string {
  if (!doc.root) {
    throw new R58Error('E_MEDIAMTX_CONFIG', `${doc.path}: the top level is not a block mapping; r58 edits only those`, {
      field: doc.path,
      hint: 'Write the settings one per line (`key: value`), as in the default mediamtx.yml.',
    })
  }
  const writer = new Writer(doc, style)
  const order = (key: string) => {
    const index = KEY_ORDER.indexOf(key)
    return index === -1 ? KEY_ORDER.length : index
  }
  for (const change of [...changes].sort((a, b) => order(a.key) - order(b.key))) writer.apply(change)
  return applyTextEdits(doc.text, writer.edits)
}
