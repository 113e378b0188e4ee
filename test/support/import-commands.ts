/**
 * Child script of test/cli/cold-start.test.ts: imports each command module in turn, writing `# <file>` to the
 * import trace before each, so every module the trace lists afterwards is attributed to the command that loaded it.
 */
import {appendFileSync} from 'node:fs'
import {pathToFileURL} from 'node:url'

const out = process.env['R58_IMPORT_TRACE'] as string
for (const file of process.argv.slice(2)) {
  appendFileSync(out, `# ${file}\n`)
  await import(pathToFileURL(file).href)
}
