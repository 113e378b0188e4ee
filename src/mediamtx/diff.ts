/**
 * A unified diff of two texts, line by line (Myers' O(ND) algorithm on the lines between the common head and
 * tail, which for a config edit is a handful). Output as `diff -u` prints it, with three lines of context.
 */

interface Op {
  kind: ' ' | '-' | '+'
  line: string
}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  else lines[lines.length - 1] = `${lines.at(-1)}\n\\ No newline at end of file`
  return lines
}

/** Shortest edit script between two line arrays (Myers 1986), as a list of keep/delete/insert. */
function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length
  const m = b.length
  const max = n + m
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = false
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice())
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = true
        break
      }
    }
  }
  // Walk the trace back from (n, m).
  const ops: Op[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Int32Array
    const k = x - y
    const prevK =
      k === -d || (k !== d && (vd[offset + k - 1] as number) < (vd[offset + k + 1] as number)) ? k + 1 : k - 1
    const prevX = vd[offset + prevK] as number
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      ops.push({kind: ' ', line: a[x - 1] as string})
      x--
      y--
    }
    if (d > 0) {
      if (x === prevX) ops.push({kind: '+', line: b[y - 1] as string})
      else ops.push({kind: '-', line: a[x - 1] as string})
    }
    x = prevX
    y = prevY
  }
  return ops.reverse()
}

/** Line operations for the whole texts; only the changed middle goes through Myers. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail))
  return [
    ...a.slice(0, head).map((line) => ({kind: ' ' as const, line})),
    ...middle,
    ...a.slice(a.length - tail).map((line) => ({kind: ' ' as const, line})),
  ]
}

export interface DiffOptions {
  /** Lines of context around each change. Default 3. */
  context?: number
}

/** `diff -u` output, or '' when the texts are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  from: string,
  to: string,
  options: DiffOptions = {},
): string {
  if (before === after) return ''
  const context = options.context ?? 3
  const ops = diffLines(splitLines(before.replaceAll('\r\n', '\n')), splitLines(after.replaceAll('\r\n', '\n')))
  const out = [`--- ${from}`, `+++ ${to}`]
  let i = 0
  while (i < ops.length) {
    // Find the next change.
    while (i < ops.length && ops[i]?.kind === ' ') i++
    if (i >= ops.length) break
    let start = Math.max(0, i - context)
    let end = i
    // Extend the hunk while changes are within 2*context of each other.
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== ' ') end++
      let next = end
      while (next < ops.length && ops[next]?.kind === ' ') next++
      if (next < ops.length && next - end <= 2 * context) {
        end = next
        continue
      }
      end = Math.min(ops.length, end + context)
      break
    }
    // Line numbers of the hunk.
    let oldLine = 1
    let newLine = 1
    for (let j = 0; j < start; j++) {
      if (ops[j]?.kind !== '+') oldLine++
      if (ops[j]?.kind !== '-') newLine++
    }
    const hunk = ops.slice(start, end)
    const oldCount = hunk.filter((op) => op.kind !== '+').length
    const newCount = hunk.filter((op) => op.kind !== '-').length
    out.push(
      `@@ -${oldCount === 0 ? oldLine - 1 : oldLine}${oldCount === 1 ? '' : `,${oldCount}`} +${newCount === 0 ? newLine - 1 : newLine}${newCount === 1 ? '' : `,${newCount}`} @@`,
    )
    for (const op of hunk) out.push(`${op.kind}${op.line}`)
    i = end
    start = end
  }
  return `${out.join('\n')}\n`
}
