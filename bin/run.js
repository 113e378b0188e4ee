#!/usr/bin/env node
import {existsSync, readFileSync} from 'node:fs'

const argv = process.argv.slice(2)
// `r58 --version` is the one answer that needs no command: print oclif's user agent without loading oclif
// (half of a cold start). WSL, which oclif names apart, takes the ordinary path.
if (argv.length === 1 && argv[0] === '--version' && !process.env.WSL_DISTRO_NAME) {
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // A clone where `npm ci` did not build (`--ignore-scripts`) runs the TypeScript sources through tsx.
  const built = existsSync(new URL('../dist/commands', import.meta.url))
  if (!built) (await import('tsx/esm/api')).register()
  // oclif's debug output prints argv before any command runs: mask secret flags there first.
  if (process.env.DEBUG) {
    const {maskSecretArgvInDebugOutput} = await import(
      built ? '../dist/src/cli/debug-argv.js' : '../src/cli/debug-argv.js'
    )
    maskSecretArgvInDebugOutput()
  }
  // execute alone, not @oclif/core's index: the index also loads what only a running command needs (flags,
  // parser, semver for a Node version check); a command's module imports it then. About 35 ms of CPU, a quarter
  // of what loading oclif costs `r58 --help`.
  const {execute} = await import('@oclif/core/execute')
  await execute({development: !built, dir: import.meta.url})
  // werift leaves promise timers running after its peers close (a TURN allocation's refresh loop sleeps 500 s);
  // a finished command must not wait for them. Flush what was printed, then end with the command's exit code.
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
  )
  process.exit()
}
