import {defineConfig, type TestProjectInlineConfiguration} from 'vitest/config'
import {natLabUnavailable} from './src/sim/lab/netns/lab-requirements.js'

// The NAT lab needs root and its programs. In CI it always runs (a lab that cannot start fails with the reason);
// on a developer's machine without them the lab project is left out of the run, with one line saying how to run it.
const labLeftOut = process.env['CI'] === 'true' ? null : natLabUnavailable()
// vitest evaluates this file more than once per run (once per project that extends it): say it once.
const shown = globalThis as {r58LabNoteShown?: boolean}
if (labLeftOut !== null && !shown.r58LabNoteShown) process.stderr.write(`NAT lab project not run: ${labLeftOut}\n`)
shown.r58LabNoteShown = true
const labProjects: TestProjectInlineConfiguration[] =
  labLeftOut === null
    ? [
        {
          // The NAT lab (root): network namespaces, coturn, the stand-in, whip-client and Chromium as guests.
          extends: true,
          test: {name: 'lab', include: ['test/lab/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 120_000},
        },
      ]
    : []

export default defineConfig({
  test: {
    // @oclif/test captures output by patching process.stdout/stderr; vitest must not intercept first.
    disableConsoleIntercept: true,
    // oclif loads the TypeScript commands; tsx's full loader avoids its path-mapping warning (house style §5.3).
    execArgv: ['--import', 'tsx'],
    env: {FORCE_COLOR: '0', NODE_ENV: 'test'},
    pool: 'forks',
    // Tests talk to loopback only; the guard drops and reports anything else.
    setupFiles: ['test/support/network-guard.ts'],
    // One temporary directory per run, removed at the end.
    globalSetup: ['test/support/temp-root.ts', 'test/support/stale-manifest.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'commands/**/*.ts'],
    },
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts']}},
      {
        extends: true,
        test: {name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000},
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...labProjects,
      {
        // The README from a fresh `git clone`: npm ci, pack and install take minutes, one step after another.
        extends: true,
        test: {name: 'clone', include: ['test/clone/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 120_000},
      },
    ],
  },
})
