/**
 * vitest global setup: every temporary file of a test run (tests, the CLI processes they start, coturn's
 * configs) goes under one directory, removed when the run ends, so runs do not pile up in /tmp.
 * Workers and child processes inherit TMPDIR, which `os.tmpdir()` reads.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const MARK = 'R58_TEST_TMPDIR'

export default function setup(): () => void {
  // Each vitest project runs the global setup again: one directory for the whole run, not one inside another
  // (Chromium's singleton socket path, like every Unix socket path, must stay under 108 bytes).
  if (process.env[MARK]) return () => {}
  const root = mkdtempSync(join(tmpdir(), 'r58t-'))
  process.env[MARK] = root
  const previous = process.env['TMPDIR']
  process.env['TMPDIR'] = root
  return () => {
    delete process.env[MARK]
    if (previous === undefined) delete process.env['TMPDIR']
    else process.env['TMPDIR'] = previous
    rmSync(root, {recursive: true, force: true})
  }
}
