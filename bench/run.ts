/**
 * `npm run bench [filter]`: runs every bench/*.bench.ts and prints its figures. Benchmarks talk only to
 * loopback, bound their own loops, and never assert: they measure, print, and leave judging to people.
 */
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

export interface BenchResult {
  /** Lines of figures, e.g. `median 212 ms (target ≤ 300 ms)`. */
  lines: string[]
}

export interface Bench {
  name: string
  run(): Promise<BenchResult>
}

const filter = process.argv[2]
const dir = import.meta.dirname
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => !filter || file.includes(filter))
  .sort()

for (const file of files) {
  const module = (await import(pathToFileURL(join(dir, file)).href)) as {default: Bench}
  const bench = module.default
  process.stdout.write(`\n== ${bench.name} (${file})\n`)
  try {
    const result = await bench.run()
    for (const line of result.lines) process.stdout.write(`   ${line}\n`)
  } catch (error) {
    process.stdout.write(`   FAILED: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exitCode = 1
  }
}
