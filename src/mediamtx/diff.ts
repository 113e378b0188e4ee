/**
 * A unified diff of two texts for `r58 mediamtx configure`'s dry run, as `diff -u` prints it: the hunks come from
 * jsdiff (the `diff` package); only the headers are written here, GNU style (a count of 1 is left out).
 */
import {structuredPatch} from 'diff'

export interface DiffOptions {
  /** Lines of context around each change. Default 3. */
  context?: number
}

/** `@@ -start,count +start,count @@`: an empty side starts at the line before, a count of 1 is implied. */
function range(start: number, count: number): string {
  return `${count === 0 ? start - 1 : start}${count === 1 ? '' : `,${count}`}`
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
  const patch = structuredPatch(
    from,
    to,
    before.replaceAll('\r\n', '\n'),
    after.replaceAll('\r\n', '\n'),
    undefined,
    undefined,
    {context: options.context ?? 3},
  )
  const out = [`--- ${from}`, `+++ ${to}`]
  for (const hunk of patch.hunks) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`, ...hunk.lines)
  }
  return `${out.join('\n')}\n`
}
