/**
 * Small, line-based SDP rewrites that make real-world answers usable by werift, without touching anything else.
 */
import {sdpLines} from './sdp-session.js'

/**
 * RFC 8843 `a=bundle-only` sections arrive as `m=<kind> 0 …`; werift takes port 0 for "rejected" and never sends
 * on them. Give them the discard port 9 (as bundled sections have) and drop the attribute.
 */
export function unbundleOnly(sdp: string): {sdp: string; changed: number} {
  const lines = sdpLines(sdp)
  const sections: number[][] = []
  let current: number[] | undefined
  lines.forEach((line, i) => {
    if (line.startsWith('m=')) {
      current = [i]
      sections.push(current)
    } else current?.push(i)
  })
  let changed = 0
  const drop = new Set<number>()
  for (const section of sections) {
    const bundleOnly = section.filter((i) => lines[i] === 'a=bundle-only')
    if (bundleOnly.length === 0) continue
    const m = section[0] as number
    lines[m] = (lines[m] as string).replace(/^(m=\S+) 0 /, '$1 9 ')
    for (const i of bundleOnly) drop.add(i)
    changed += 1
  }
  return {sdp: `${lines.filter((_, i) => !drop.has(i)).join('\r\n')}\r\n`, changed}
}

/** Removes the `a=candidate` lines (by 1-based line number) that `keep` rejects. */
export function filterCandidateLines(sdp: string, keep: (lineNumber: number) => boolean): string {
  const lines = sdpLines(sdp)
  return `${lines.filter((line, i) => !line.startsWith('a=candidate:') || keep(i + 1)).join('\r\n')}\r\n`
}
