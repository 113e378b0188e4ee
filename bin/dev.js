#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
import {execute} from '@oclif/core'
import {removeStaleManifest} from './stale-manifest.js'

// oclif's debug output prints argv before any command runs: mask secret flags there first.
if (process.env.DEBUG) (await import('../src/cli/debug-argv.js')).maskSecretArgvInDebugOutput()
removeStaleManifest(new URL('..', import.meta.url).pathname)
await execute({development: true, dir: import.meta.url})
// See bin/run.js: flush, then end without waiting for werift's lingering promise timers.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))))
process.exit()
