/**
 * The MediaMTX version a config file was written for, inferred from its keys when nobody said: every key
 * must be known to the running server, so the newest `since` among the keys is a safe lower bound
 * ("inferred v1.3.0 or later from webrtcAdditionalHosts"); a key dropped without a shim gives an upper bound.
 * Writes are gated on the lower bound, so an inferred version never lets r58 write a key the server lacks.
 */
import {KEY_HISTORY} from './key-history.js'
import {keyRemovedIn} from './key-rules.js'
import {compareVersions, formatVersion, parseVersion, type Version} from './version.js'

export interface InferredVersion {
  /** The lower bound. */
  version: Version
  /** The key that sets the lower bound (`clientOnly` for the nested ICE-server field), or null. */
  from: string | null
  /** Exclusive upper bound, when a key was dropped without a shim. */
  before: Version | null
  note: string
}

/** Oldest release with any WebRTC; a file without known keys is assumed to be at least this. */
const FLOOR: Version = [0, 21, 0]

export function inferVersion(
  keys: readonly string[],
  nested: {clientOnly?: boolean} = {},
  what = 'the file',
): InferredVersion {
  let version: Version = [0, 0, 0]
  let from: string | null = null
  let before: Version | null = null
  for (const key of keys) {
    const since = parseVersion(KEY_HISTORY[key]?.since ?? '')
    if (since && compareVersions(since, version) > 0) {
      version = since
      from = key
    }
    const removed = keyRemovedIn(key)
    if (removed && (before === null || compareVersions(removed, before) < 0)) before = removed
  }
  if (nested.clientOnly && compareVersions([1, 7, 0], version) > 0) {
    version = [1, 7, 0]
    from = 'clientOnly'
  }
  if (from === null) version = FLOOR
  const bound = before ? ` and before ${formatVersion(before)}` : ''
  const exact = 'pass --mediamtx-version or --mediamtx-api-url to be exact'
  const note =
    from === null
      ? `no key in ${what} tells the version; assuming ${formatVersion(version)} (${exact})`
      : `inferred ${formatVersion(version)} or later${bound} from ${from} in ${what} (${exact})`
  return {version, from, before, note}
}
