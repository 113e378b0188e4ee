/**
 * probeTurn against a local coturn: all three transports at once (Allocate, echo through the relay, Refresh
 * 0), against the ≤ 300 ms target; then coturn's own turnutils_uclient doing one allocation, timed the same
 * way (wall time around the call), for comparison. Loopback only.
 */
import {spawn} from 'node:child_process'
import {startCoturn} from '../src/sim/lab/coturn.js'
import {probeTurn} from '../src/turn/turn-probe.js'
import type {Bench} from './run.js'
import {median, summary} from './stats.js'

const RUNS = 30
const UCLIENT_RUNS = 5
const TARGET_MS = 300

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

/**
 * turnutils_uclient -n 0 -c: no messages, no RTCP allocation. With -v it prints "Received relay addr" once
 * the first allocation is made; it is timed to that line and then stopped (on its own it idles for
 * seconds in its reporting loop), and also to its own exit.
 */
function uclient(args: string[], untilRelay: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('turnutils_uclient', untilRelay ? ['-v', ...args] : args, {stdio: ['ignore', 'pipe', 'pipe']})
    let done = false
    const onData = (chunk: Buffer) => {
      if (untilRelay && !done && chunk.toString().includes('Received relay addr')) {
        done = true
        resolve(performance.now() - started)
        child.kill('SIGKILL')
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('error', reject)
    child.once('exit', (code) => {
      if (done) return
      if (untilRelay) reject(new Error(`turnutils_uclient exited (${code}) without a relayed address`))
      else resolve(performance.now() - started)
    })
  })
}

export default {
  name: 'probe turn: udp + tcp + tls at once against local coturn (vs turnutils_uclient)',
  async run() {
    const lab = await startCoturn()
    const lines: string[] = []
    try {
      const options = {username: lab.username, credential: lab.credential, tls: {ca: lab.certificate.cert}}
      const all = () => probeTurn({urls: Object.values(lab.turnUrls), ...options})
      for (let i = 0; i < 3; i++) await all() // warm-up: JIT, TLS context
      const failures: string[] = []
      const times: number[] = []
      for (let i = 0; i < RUNS; i++) {
        let report: Awaited<ReturnType<typeof all>> | undefined
        times.push(
          await time(async () => {
            report = await all()
          }),
        )
        if (!report?.ok) failures.push(report?.results.map((r) => r.outcome).join(',') ?? 'no report')
      }
      const verdict = median(times) <= TARGET_MS ? 'within' : 'OVER'
      lines.push(`probeTurn udp+tcp+tls (allocate, 5-packet echo, free): ${summary(times)}`)
      lines.push(
        `  target median ≤ ${TARGET_MS} ms: ${verdict}${failures.length ? `; ${failures.length} runs not ok` : ''}`,
      )
      const single: number[] = []
      for (let i = 0; i < RUNS; i++) {
        single.push(await time(() => probeTurn({urls: [lab.turnUrls.udp], ...options, packets: 0})))
      }
      lines.push(`probeTurn one UDP allocation (allocate + free, no echo): ${summary(single)}`)
      const args = [
        '-n',
        '0',
        '-c',
        '-u',
        lab.username,
        '-w',
        lab.credential,
        '-p',
        String(lab.ports.listening),
        '-e',
        '127.0.0.1',
        '127.0.0.1',
      ]
      const toRelay: number[] = []
      const toExit: number[] = []
      for (let i = 0; i < UCLIENT_RUNS; i++) {
        toRelay.push(await uclient(args, true))
        toExit.push(await uclient(args, false))
      }
      lines.push(`turnutils_uclient one UDP allocation, spawn → relayed address: ${summary(toRelay)}`)
      lines.push(`turnutils_uclient -n 0 -c, spawn → exit (idles in its report loop): ${summary(toExit)}`)
    } finally {
      await lab.stop()
    }
    return {lines}
  },
} satisfies Bench
