/**
 * Which top-level keys a MediaMTX version accepts. MediaMTX rejects unknown keys (fatal on load, 400 on the
 * API), so nothing may be written that the target version does not know.
 */
import {KEY_HISTORY} from './key-history.js'
import {atLeast, parseVersion, type Version} from './version.js'

/** Keys that were dropped without a deprecation shim: the release from which they are rejected. */
const REMOVED_WITHOUT_SHIM: Readonly<Record<string, string>> = {
  readBufferSize: 'v0.18.0',
  webrtcICEInterfaces: 'v1.3.0',
}

/** Does `version` accept top-level key `key`? Unknown keys (absent from every default file) are not accepted. */
export function isKeyAccepted(key: string, version: Version): boolean {
  const history = KEY_HISTORY[key]
  if (!history) return false
  if (!atLeast(version, history.since)) return false
  const removed = REMOVED_WITHOUT_SHIM[key]
  return removed === undefined || !atLeast(version, removed)
}

/** The release that introduced a key, e.g. `v1.3.0` for webrtcAdditionalHosts. */
export function keySince(key: string): Version | undefined {
  const since = KEY_HISTORY[key]?.since
  return since ? parseVersion(since) : undefined
}

/** The release from which a key is rejected because it was dropped without a shim (`webrtcICEInterfaces`: v1.3.0). */
export function keyRemovedIn(key: string): Version | undefined {
  const removed = REMOVED_WITHOUT_SHIM[key]
  return removed ? parseVersion(removed) : undefined
}
