/**
 * Small SDP rewrites that make real-world answers usable by werift, without touching anything else: they work
 * on the SDP model (sdp-document.ts), so every other line stays as written and in place.
 */

import {isCandidateLine} from './sdp-candidate.js'
import {
  hasFlag,
  isAttribute,
  parseSdpDocument,
  removeLines,
  type SdpDocument,
  serializeSdp,
  setSectionPort,
} from './sdp-document.js'

/**
 * RFC 8843 `a=bundle-only` sections arrive as `m=<kind> 0 …`; werift takes port 0 for "rejected" and never sends
 * on them (docs/werift.md). Give them the discard port 9 (as bundled sections have) and drop the attribute.
 * Returns how many sections changed.
 */
export function unbundleSections(document: SdpDocument): number {
  let changed = 0
  for (const section of document.sections) {
    if (!hasFlag(section.lines, 'bundle-only')) continue
    if (/^\S+ 0 /.test(section.mLine.value)) setSectionPort(section, 9)
    section.lines = section.lines.filter((line) => !isAttribute(line, 'bundle-only', true))
    changed += 1
  }
  return changed
}

/** {@link unbundleSections} on SDP text. */
export function unbundleOnly(sdp: string): {sdp: string; changed: number} {
  const document = parseSdpDocument(sdp)
  const changed = unbundleSections(document)
  return {sdp: serializeSdp(document), changed}
}

/** Removes the `a=candidate` lines (by 1-based line number) that `keep` rejects. */
export function filterCandidateLines(sdp: string, keep: (lineNumber: number) => boolean): string {
  const document = parseSdpDocument(sdp)
  removeLines(document, (line) => isCandidateLine(line) && !keep(line.lineNumber))
  return serializeSdp(document)
}
