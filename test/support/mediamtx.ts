/** MediaMTX config fixtures and helpers for reading diffs in tests. */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {ConfigDoc} from '../../src/mediamtx/config-doc.js'
import {extentEnd} from '../../src/mediamtx/cst-edit.js'
import {compareVersions, parseVersion, type Version} from '../../src/mediamtx/version.js'

export const FIXTURE_DIR = join(import.meta.dirname, '../fixtures/mediamtx')

/** The 27 default configs, oldest first. */
export const FIXTURES: readonly string[] = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort((a, b) => compareVersions(versionOf(a), versionOf(b)))

export function versionOf(file: string): Version {
  return parseVersion(file.replace(/\.yml$/, '')) ?? [0, 0, 0]
}

export function fixture(file: string): string {
  return readFileSync(join(FIXTURE_DIR, file), 'utf8')
}

export const atLeastFile = (file: string, release: string) =>
  compareVersions(versionOf(file), parseVersion(release) ?? [0, 0, 0]) >= 0

/** Old line numbers of removed lines and new line numbers of added lines in a unified diff. */
export function diffLines(diff: string): {removed: number[]; added: number[]} {
  const removed: number[] = []
  const added: number[] = []
  let oldLine = 0
  let newLine = 0
  for (const line of diff.split('\n')) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line)
    if (hunk) {
      oldLine = Number(hunk[1])
      newLine = Number(hunk[2])
      continue
    }
    if (line.startsWith('---') || line.startsWith('+++') || line.startsWith('\\')) continue
    if (line.startsWith('-')) removed.push(oldLine++)
    else if (line.startsWith('+')) added.push(newLine++)
    else if (line.startsWith(' ')) {
      oldLine++
      newLine++
    }
  }
  return {removed, added}
}

/** 1-based line ranges [first, last] covered by the given top-level keys (key line to extent end). */
export function keyLines(doc: ConfigDoc, keys: Iterable<string>): [number, number][] {
  const out: [number, number][] = []
  for (const key of keys) {
    const entry = doc.entry(key)
    if (!entry) continue
    const first = doc.pos(doc.lineStart(entry.keyStart)).line
    const end = extentEnd(doc, entry)
    const last = end >= doc.text.length && !doc.text.endsWith('\n') ? doc.pos(end).line : doc.pos(end - 1).line
    out.push([first, last])
  }
  return out
}

export const within = (line: number, ranges: readonly [number, number][]) =>
  ranges.some(([a, b]) => line >= a && line <= b)
