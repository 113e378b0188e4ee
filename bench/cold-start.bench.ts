/**
 * Cold start: `r58 --version`, `r58 --help`, topic help and `r58 <command> --help` as whole processes, against
 * `node -e 0` measured in the same run (so a busy machine slows both). Twice: from this clone (after `npm ci`,
 * which builds dist/ and oclif.manifest.json) and from the installed package (`npm pack`, then `npm install -g`
 * into a temporary prefix; or R58_BENCH_R58=/path/to/r58 to measure an existing install).
 * Targets: --version ≤ 2.5×, any --help ≤ 3× node -e 0.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Bench} from './run.js'
import {median} from './stats.js'

const ROOT = join(import.meta.dirname, '..')
const RUNS = Number(process.env['R58_BENCH_RUNS'] ?? 15)

const INVOCATIONS: {argv: string[]; target: number}[] = [
  {argv: ['--version'], target: 2.5},
  {argv: ['--help'], target: 3},
  {argv: ['probe', '--help'], target: 3},
  {argv: ['probe', 'turn', '--help'], target: 3},
  {argv: ['diagnose', '--help'], target: 3},
  {argv: ['calls', 'emulate', '--help'], target: 3},
  // The longest help (about 13 kB): rendering it is the largest part of a command's help that varies.
  {argv: ['config', 'init', '--help'], target: 3},
]

function wallMs(command: string, args: string[]): number {
  const started = performance.now()
  const run = spawnSync(command, args, {cwd: ROOT, stdio: 'ignore', env: {...process.env, NODE_ENV: ''}})
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}`)
  return performance.now() - started
}

/** Interleaved with `node -e 0` so both see the same machine load; returns the lines of figures. */
function measure(label: string, command: string, prefixArgs: string[]): string[] {
  const lines: string[] = []
  for (const {argv, target} of INVOCATIONS) {
    const baseline: number[] = []
    const r58: number[] = []
    for (let i = 0; i < RUNS; i++) {
      baseline.push(wallMs(process.execPath, ['-e', '0']))
      r58.push(wallMs(command, [...prefixArgs, ...argv]))
    }
    const ratio = median(r58) / median(baseline)
    lines.push(
      `${label} r58 ${argv.join(' ')}: median ${Math.round(median(r58))} ms vs node -e 0 ${Math.round(median(baseline))} ms = ${ratio.toFixed(2)}× (target ≤ ${target}×${ratio <= target ? '' : ', MISSED'})`,
    )
  }
  return lines
}

function installedR58(): {bin: string; cleanup: () => void} {
  const given = process.env['R58_BENCH_R58']
  if (given) return {bin: given, cleanup: () => {}}
  const dir = mkdtempSync(join(tmpdir(), 'r58-bench-install-'))
  execFileSync('npm', ['pack', '--pack-destination', dir], {cwd: ROOT, stdio: 'ignore'})
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz')) as string
  execFileSync('npm', ['install', '-g', '--prefix', join(dir, 'prefix'), '--prefer-offline', join(dir, tarball)], {
    cwd: dir,
    stdio: 'ignore',
  })
  return {bin: join(dir, 'prefix', 'bin', 'r58'), cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

export default {
  name: 'cold start: r58 --version and --help against node -e 0',
  async run() {
    const built = existsSync(join(ROOT, 'dist/commands')) && existsSync(join(ROOT, 'oclif.manifest.json'))
    const lines = built
      ? measure('clone:', process.execPath, [join(ROOT, 'bin/run.js')])
      : ['clone: not measured (run `npm ci` or `npm run prepare` first: dist/ and oclif.manifest.json)']
    const installed = installedR58()
    try {
      lines.push(...measure('installed:', installed.bin, []))
    } finally {
      installed.cleanup()
    }
    return {lines}
  },
} satisfies Bench
