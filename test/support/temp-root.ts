/**
 * vitest global setup: every temporary file of a test run (tests, the CLI processes they start, coturn's
 * configs) goes under one directory, removed when the run ends, so runs do not pile up in /tmp.
 * Workers and child processes inherit TMPDIR, which `os.tmpdir()` reads.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export default function setup(): () => void {
  // Short, because Unix socket paths are limited to 107 bytes.
  const root = mkdtempSync(join(tmpdir(), 'r58t-'))
  const previous = process.env['TMPDIR']
  process.env['TMPDIR'] = root
  return () => {
    if (previous === undefined) delete process.env['TMPDIR']
    else process.env['TMPDIR'] = previous
    rmSync(root, {recursive: true, force: true})
  }
}
