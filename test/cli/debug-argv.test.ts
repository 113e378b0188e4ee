/**
 * `DEBUG=*` turns on oclif's debug output, which prints argv (in `main`, `runCommand` and the command's init)
 * long before a command could redact anything. A secret given on the command line must not appear there.
 */
import {expect, it} from 'vitest'
import {spawnR58} from '../support/cli.js'

it.each([
  ['--calls-app-secret VALUE', ['--calls-app-secret', 'planted-debug-secret-1']],
  ['--calls-app-secret=VALUE', ['--calls-app-secret=planted-debug-secret-1']],
  ['--turn-credential VALUE', ['--turn-credential', 'planted-debug-secret-1']],
])(
  'DEBUG=* does not print a secret given as %s',
  async (_form, flags) => {
    const run = await spawnR58(['config', 'show', ...flags], {env: {DEBUG: '*'}, timeoutMs: 45_000})
    expect(run.exitCode, run.stderr).toBe(0)
    // The debug output is there (this test would prove nothing without it), and argv is in it, masked.
    expect(run.stderr).toMatch(/oclif:main process\.argv/)
    expect(run.stderr).toMatch(/<redacted>/)
    expect(`${run.stdout}${run.stderr}`).not.toContain('planted-debug-secret-1')
  },
  90_000,
)
