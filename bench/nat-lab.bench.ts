/**
 * `r58 diagnose --json` on the NAT lab's box in the original failure (box behind NAT, only the WHIP TCP port
 * forwarded, LAN host candidates only): whole processes in the box's namespace, and the command's own time
 * from the envelope. Root only (network namespaces); says so and measures nothing otherwise.
 */
import {natLabUnavailable} from '../src/sim/lab/netns/lab-requirements.js'
import {startNatLab, WHIP_PORT} from '../test/lab/support/nat-lab.js'
import type {Bench} from './run.js'
import {summary} from './stats.js'

export default {
  name: 'diagnose in the NAT lab, original failure (sources through tsx, in the box namespace)',
  async run() {
    const unavailable = natLabUnavailable()
    if (unavailable !== null) return {lines: [`not measured: ${unavailable}`]}
    const runs = Number(process.env['R58_BENCH_RUNS'] ?? 5)
    const lab = await startNatLab()
    const whole: number[] = []
    const command: number[] = []
    const exits = new Set<number>()
    try {
      for (let i = 0; i < runs; i++) {
        const started = performance.now()
        const run = await lab.r58(lab.net.names.box, [
          ...['diagnose', '--json', '--mediamtx-url', `http://127.0.0.1:${WHIP_PORT}`],
          ...['--mediamtx-api-url', 'http://127.0.0.1:9997', '-f', lab.configPath],
        ])
        whole.push(performance.now() - started)
        command.push((run.envelope as {durationMs?: number}).durationMs ?? Number.NaN)
        exits.add(run.envelope.exitCode)
      }
    } finally {
      await lab.close()
    }
    return {
      lines: [
        `inside the command (envelope durationMs): ${summary(command)} (target median ≤ 3000 ms)`,
        `whole process (tsx start-up included): ${summary(whole)}`,
        `exit codes: ${[...exits].join(', ')} (3: no option serves remote guests, as the guests found)`,
      ],
    }
  },
} satisfies Bench
