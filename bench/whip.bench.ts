/**
 * WHIP probe speed on loopback against the MediaMTX stand-in: POST → ICE connected → first RTP (target ≤ 250 ms
 * median), and the wall time of a whole `r58 probe whip --duration 1s` process (target ≤ 1.6 s).
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {startMediamtxStandin} from '../src/sim/mediamtx/standin-server.js'
import {probeWhip} from '../src/whip/probe.js'
import type {Bench} from './run.js'
import {median, summary} from './stats.js'

const ROOT = join(import.meta.dirname, '..')

function runCli(argv: string[]): Promise<{ms: number; code: number | null; stdout: string}> {
  const built = existsSync(join(ROOT, 'dist/commands/probe/whip.js'))
  const args = built ? [join(ROOT, 'bin/run.js'), ...argv] : ['--import', 'tsx', join(ROOT, 'bin/dev.js'), ...argv]
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: {...process.env, CI: 'true'},
    })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.on('close', (code) => resolve({ms: performance.now() - started, code, stdout}))
  })
}

/** Median wall time of a CLI invocation that only starts up (and exits 0). */
async function startupMs(argv: string[]): Promise<number> {
  const walls: number[] = []
  for (let i = 0; i < 5; i++) walls.push((await runCli(argv)).ms)
  return Math.round(median(walls))
}

export default {
  name: 'probe whip: POST → ICE → first RTP, and a whole `r58 probe whip --duration 1s`',
  async run() {
    const standin = await startMediamtxStandin({
      configText: 'webrtcLocalUDPAddress: :8189\npaths:\n  all_others:\n',
      whipPort: 0,
      interfaces: [
        {name: 'lo', address: '127.0.0.1'},
        {name: 'eth0', address: '192.168.1.58'},
      ],
    })
    try {
      const toFirstRtp: number[] = []
      const parts: Record<string, number[]> = {
        'POST → 201': [],
        '201 → ICE connected': [],
        'ICE → DTLS': [],
        'DTLS → first RTP': [],
      }
      for (let i = 0; i < 12; i++) {
        const report = await probeWhip({
          url: standin.endpoint('bench'),
          via: ['this-host'],
          durationMs: 50,
          trickle: false,
        })
        const at = (event: string) => report.timeline.find((t) => t.event === event)?.at ?? Number.NaN
        if (i === 0) continue // warm-up: certificate generation, JIT
        toFirstRtp.push(at('rtp.first') - at('post'))
        parts['POST → 201']?.push(at('answer') - at('post'))
        parts['201 → ICE connected']?.push(at('ice.connected') - at('answer'))
        parts['ICE → DTLS']?.push(at('dtls.connected') - at('ice.connected'))
        parts['DTLS → first RTP']?.push(at('rtp.first') - at('dtls.connected'))
      }
      const walls: number[] = []
      const inCommand: number[] = []
      const built = existsSync(join(ROOT, 'dist/commands/probe/whip.js'))
      const manifest = existsSync(join(ROOT, 'oclif.manifest.json'))
      for (let i = 0; i < 5; i++) {
        const run = await runCli([
          'probe',
          'whip',
          standin.endpoint('bench'),
          '--via',
          'this-host',
          '--duration',
          '1s',
          '--json',
        ])
        if (run.code !== 0) throw new Error(`r58 probe whip exited ${run.code}`)
        walls.push(run.ms)
        inCommand.push((JSON.parse(run.stdout) as {durationMs: number}).durationMs)
      }
      // Where the whole-process time goes: Node.js and oclif starting, loading the command's modules (werift,
      // undici, …), and the command itself (its own durationMs, 1 s of it the requested media).
      const bare = await startupMs(['--version'])
      const loaded = await startupMs(['probe', 'whip', '--help'])
      return {
        lines: [
          `POST → ICE connected → first RTP: ${summary(toFirstRtp)} (target ≤ 250 ms median)`,
          ...Object.entries(parts).map(([name, values]) => `  ${name}: median ${median(values)} ms`),
          `r58 probe whip --duration 1s, whole process (${built ? 'node bin/run.js, built' : 'bin/dev.js through tsx; `npm run build` for bin/run.js'}, ${manifest ? 'with' : 'without'} oclif.manifest.json): ${summary(walls.map(Math.round))} (target ≤ 1600 ms)`,
          `  of which: Node.js + oclif start (r58 --version) ${bare} ms, loading the command's modules (probe whip --help minus that) ${loaded - bare} ms, the command itself ${Math.round(median(inCommand))} ms (1000 ms of media)`,
        ],
      }
    } finally {
      await standin.close()
    }
  },
} satisfies Bench
