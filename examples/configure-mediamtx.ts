/**
 * Plans a MediaMTX config change with the r58 library, prints the diff, then checks the result.
 *
 *   node --import tsx examples/configure-mediamtx.ts [path/to/mediamtx.yml] [host] [--write]
 *
 * Without a path it works on a temporary copy of MediaMTX v1.20.1's default file. Nothing is written
 * unless --write is given; then the file is replaced atomically and the old one kept as a .bak.
 */
import {copyFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {configureMediamtx, mediamtxCheck} from '../src/index.js'

const args = process.argv.slice(2)
const write = args.includes('--write')
const [given, host = '100.64.0.5'] = args.filter((arg) => arg !== '--write')
let file = given
if (!file) {
  file = join(mkdtempSync(join(tmpdir(), 'r58-example-')), 'mediamtx.yml')
  copyFileSync(join(import.meta.dirname, '../test/fixtures/mediamtx/v1.20.1.yml'), file)
}

const result = await configureMediamtx({
  file,
  operations: [
    {op: 'add-host', host},
    {op: 'tcp-address', address: ':8189'},
  ],
  write,
})
console.log(`${file} (MediaMTX ${result.version.value}, ${result.version.note})`)
console.log(result.noop ? 'Nothing to change.' : result.diff)
if (result.written) console.log(`Written; previous version in ${result.backupPath}`)

const report = await mediamtxCheck({file})
for (const check of report.checks) console.log(`${check.status.padEnd(4)} ${check.title}: ${check.evidence}`)
process.exitCode = report.exitCode
