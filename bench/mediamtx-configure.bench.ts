/**
 * `mediamtx configure` library time on the largest default config (v1.20.1, 38 KB): parse, plan, CST edit,
 * re-parse and verify, validate, diff. Target: < 20 ms per run. Also the dry run with the file read.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {configureMediamtx, planConfigure, versionFromFlag} from '../src/mediamtx/configure.js'
import type {Operation} from '../src/mediamtx/operations.js'
import type {Bench} from './run.js'
import {median, summary} from './stats.js'

const TEXT = readFileSync(join(import.meta.dirname, '../test/fixtures/mediamtx/v1.20.1.yml'), 'utf8')
const TARGET_MS = 20

const SETS: {name: string; operations: Operation[]}[] = [
  {name: 'add-host', operations: [{op: 'add-host', host: '100.64.0.5'}]},
  {
    name: 'turn --client-only',
    operations: [
      {
        op: 'ice-server',
        server: {url: 'turn:turn.example.net:3478?transport=udp', username: 'u', password: 'p', clientOnly: true},
      },
    ],
  },
  {
    name: 'five operations',
    operations: [
      {op: 'add-host', host: '100.64.0.5'},
      {op: 'add-host', host: '203.0.113.7'},
      {op: 'tcp-address', address: ':8189'},
      {op: 'ice-server', server: {url: 'turn:turn.example.net:3478?transport=udp', username: 'u', password: 'p'}},
      {op: 'add-path', name: 'guest'},
    ],
  },
  {name: 'no-op (already configured)', operations: [{op: 'udp-address', address: ':8189'}]},
]

function measure(fn: () => void, runs: number): number[] {
  for (let i = 0; i < 20; i++) fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    fn()
    times.push(performance.now() - started)
  }
  return times
}

export default {
  name: 'mediamtx configure on v1.20.1.yml (library time)',
  async run() {
    const lines: string[] = []
    const version = versionFromFlag('v1.20.1')
    for (const set of SETS) {
      const times = measure(() => planConfigure(TEXT, 'mediamtx.yml', {operations: set.operations, version}), 150)
      const verdict = median(times) < TARGET_MS ? 'within' : 'OVER'
      lines.push(`${set.name.padEnd(28)} ${summary(times)} — ${verdict} the < ${TARGET_MS} ms target`)
    }
    const inferred = measure(() => planConfigure(TEXT, 'mediamtx.yml', {operations: SETS[2]?.operations ?? []}), 150)
    lines.push(`${'five ops, version inferred'.padEnd(28)} ${summary(inferred)}`)
    const dir = mkdtempSync(join(tmpdir(), 'r58-bench-'))
    const file = join(dir, 'mediamtx.yml')
    writeFileSync(file, TEXT)
    const dry: number[] = []
    for (let i = 0; i < 60; i++) {
      const started = performance.now()
      await configureMediamtx({file, operations: SETS[2]?.operations ?? [], version: 'v1.20.1'})
      dry.push(performance.now() - started)
    }
    lines.push(`${'dry run incl. file read'.padEnd(28)} ${summary(dry.slice(10))}`)
    return {lines}
  },
} satisfies Bench
