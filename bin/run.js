#!/usr/bin/env node
import {execute} from '@oclif/core'

// oclif's debug output prints argv before any command runs: mask secret flags there first.
if (process.env.DEBUG) (await import('../dist/src/cli/debug-argv.js')).maskSecretArgvInDebugOutput()
await execute({dir: import.meta.url})
// werift leaves promise timers running after its peers close (a TURN allocation's refresh loop sleeps 500 s);
// a finished command must not wait for them. Flush what was printed, then end with the command's exit code.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))))
process.exit()
