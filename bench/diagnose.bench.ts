/**
 * `r58 diagnose --lab` as a user runs it (a whole process: start-up, lab, diagnosis, exit), with every option
 * that the lab can offer reachable (`--lab-turn`), and with the lab's usual failing TURN option; then a
 * diagnosis where everything is unreachable, against its --timeout. Uses the built CLI when `npm run build`
 * has run (dist/), the TypeScript sources through tsx otherwise; says which.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import type {Bench} from './run.js'
import {summary} from './stats.js'

const ROOT = join(import.meta.dirname, '..')
const built = existsSync(join(ROOT, 'dist/commands/diagnose.js'))
const bin = built ? ['bin/run.js'] : ['--import', 'tsx', 'bin/dev.js']

/** Wall time of the whole process, and the command's own time from the JSON envelope (no start-up). */
function time(args: string[]): {ms: number; commandMs: number; exit: number | null} {
  const started = performance.now()
  const run = spawnSync(process.execPath, [...bin, ...args, '--json'], {
    cwd: ROOT,
    env: {...process.env, CI: 'true'},
    encoding: 'utf8',
  })
  let commandMs = Number.NaN
  try {
    commandMs = (JSON.parse(run.stdout) as {durationMs: number}).durationMs
  } catch {}
  return {ms: performance.now() - started, commandMs, exit: run.status}
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

export default {
  name: `diagnose: whole \`r58 diagnose\` processes (${built ? 'built dist/' : 'sources through tsx'})`,
  async run() {
    const runs = Number(process.env['R58_BENCH_RUNS'] ?? 5)
    const reachable: number[] = []
    const usual: number[] = []
    const unreachable: number[] = []
    const inCommand = {reachable: [] as number[], usual: [] as number[], unreachable: [] as number[]}
    const exits = new Set<string>()
    for (let i = 0; i < runs; i++) {
      const all = time(['diagnose', '--lab', '--lab-turn'])
      reachable.push(all.ms)
      inCommand.reachable.push(all.commandMs)
      const lab = time(['diagnose', '--lab'])
      usual.push(lab.ms)
      inCommand.usual.push(lab.commandMs)
      const port = await freePort()
      const none = time([
        'diagnose',
        '--mediamtx-url',
        `http://127.0.0.1:${port}`,
        '--relay-url',
        `http://127.0.0.1:${port}`,
        '--timeout',
        '3s',
      ])
      unreachable.push(none.ms)
      inCommand.unreachable.push(none.commandMs)
      exits.add(`${all.exit}/${lab.exit}/${none.exit}`)
    }
    return {
      lines: [
        `--lab --lab-turn (every lab option reachable): ${summary(reachable)} (target median ≤ 3000 ms)`,
        `--lab (TURN on MediaMTX fails, as on a box without TURN): ${summary(usual)} (target median ≤ 3000 ms)`,
        `nothing reachable, --timeout 3s: ${summary(unreachable)} (target ≤ 3500 ms)`,
        `  inside the command (envelope durationMs, no process start-up): --lab --lab-turn ${summary(inCommand.reachable)}; --lab ${summary(inCommand.usual)}; nothing reachable ${summary(inCommand.unreachable)}`,
        `exit codes (reachable/lab/unreachable): ${[...exits].join(', ')}`,
      ],
    }
  },
} satisfies Bench
