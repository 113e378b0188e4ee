import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {KEY_HISTORY, NEWEST_KNOWN_RELEASE} from '../../../src/mediamtx/key-history.js'
import {compareVersions, parseVersion} from '../../../src/mediamtx/version.js'

it('matches the keys-by-version data it was generated from', () => {
  const rows = readFileSync(join(import.meta.dirname, '../../fixtures/mediamtx-keys-by-version.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string])
  const v = (tag: string) => parseVersion(tag) ?? [0, 0, 0]
  const newest = rows
    .map(([tag]) => tag)
    .sort((a, b) => compareVersions(v(a), v(b)))
    .at(-1)
  expect(NEWEST_KNOWN_RELEASE).toBe(newest)
  const expected: Record<string, {since: string; until: string | null}> = {}
  for (const [tag, key] of rows) {
    const entry = expected[key] ?? {since: tag, until: tag}
    if (compareVersions(v(tag), v(entry.since)) < 0) entry.since = tag
    if (compareVersions(v(tag), v(entry.until ?? tag)) > 0) entry.until = tag
    expected[key] = entry
  }
  for (const entry of Object.values(expected)) if (entry.until === newest) entry.until = null
  expect(KEY_HISTORY).toEqual(expected)
})
