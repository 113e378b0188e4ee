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
  // Own keys only: `constructor` or `toString` are no MediaMTX settings.
  const history = Object.hasOwn(KEY_HISTORY, key) ? KEY_HISTORY[key] : undefined
  if (!history) return false
  if (!atLeast(version, history.since)) return false
  const removed = Object.hasOwn(REMOVED_WITHOUT_SHIM, key) ? REMOVED_WITHOUT_SHIM[key] : undefined
  return removed === undefined || !atLeast(version, removed)
}

/** The release that introduced a key, e.g. `v1.3.0` for webrtcAdditionalHosts. */
export function keySince(key: string): Version | undefined {
  const since = Object.hasOwn(KEY_HISTORY, key) ? KEY_HISTORY[key]?.since : undefined
  return since ? parseVersion(since) : undefined
}

/** The release from which a key is rejected because it was dropped without a shim (`webrtcICEInterfaces`: v1.3.0). */
export function keyRemovedIn(key: string): Version | undefined {
  const removed = Object.hasOwn(REMOVED_WITHOUT_SHIM, key) ? REMOVED_WITHOUT_SHIM[key] : undefined
  return removed ? parseVersion(removed) : undefined
}
