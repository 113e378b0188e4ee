/**
 * The relay's two modes against the floor, for 1, 3 and 10 guests × (2.5 Mbit/s VP8 + Opus), on loopback:
 * - whep:    guest → Calls emulator → MediaMTX stand-in (its WHEP pull); the relay process only signals;
 * - forward: guest → Calls emulator → relay (werift) → stand-in (WHIP);
 * - bare:    guest → a bare werift-to-werift forwarder process (bench/support/bare-forward.ts) → stand-in: the
 *            least any Node forwarder costs (no Calls, no sessions).
 * Printed per mode and guest count: CPU of the process in the middle (share of one core) and its RSS, the share
 * of packets that reached the stand-in in the window, and end-to-end latency per frame (guest → stand-in, from
 * the frames' stamps; the guests and the stand-in share this process's clock). whep's middle process is the
 * relay, which carries no media: its CPU is signalling only, and its latency has no relay hop to add.
 * Environment: R58_BENCH_MODE_GUESTS (default "1,3,10"), R58_BENCH_MODE_SECONDS (default 8).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import type {RTCPeerConnection} from 'werift'
import {createPeer, localDescription} from '../src/media/peer.js'
import {createSyntheticSource, readSyntheticStamp, type SyntheticSource} from '../src/media/synthetic.js'
import {type MediamtxStandin, startMediamtxStandin} from '../src/sim/mediamtx/standin-server.js'
import {type Proc, r58, usage} from './relay.bench.js'
import type {Bench} from './run.js'
import {percentile} from './stats.js'

const COUNTS = (process.env['R58_BENCH_MODE_GUESTS'] ?? '1,3,10')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
const SECONDS = Number(process.env['R58_BENCH_MODE_SECONDS'] ?? 8)
const ROOT = join(import.meta.dirname, '..')
const TOKEN = 'bench-relay-token-0123456789'
const SECRET = 'bench-calls-secret-0123456789'
const MODES = ['whep', 'forward', 'bare'] as const
type Mode = (typeof MODES)[number]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Guest {
  pc: RTCPeerConnection
  sources: SyntheticSource[]
}

/** The bare forwarder as its own process. */
function bareForwarder(): Proc & {url: Promise<string>} {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/bare-forward.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = new Promise<string>((resolve) =>
    createInterface({input: child.stdout}).once('line', (line) => resolve((JSON.parse(line) as {url: string}).url)),
  )
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  return {
    pid: child.pid ?? 0,
    started: url.then((u) => ({url: u})),
    url,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function publish(url: string, headers: Record<string, string>): Promise<Guest> {
  const pc = createPeer({hostAddresses: ['127.0.0.1']})
  const sources = [
    createSyntheticSource({codec: 'vp8', bitrateKbps: 2500, fps: 30, keyframeIntervalMs: 2000}),
    createSyntheticSource({codec: 'opus'}),
  ]
  for (const source of sources) source.attach(pc.addTransceiver(source.track, {direction: 'sendonly'}).sender)
  await pc.setLocalDescription(await pc.createOffer())
  const response = await fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/sdp', ...headers},
    body: localDescription(pc).sdp,
  })
  if (response.status !== 201) throw new Error(`${url} answered ${response.status}: ${await response.text()}`)
  await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
  return {pc, sources}
}

interface Figures {
  mode: Mode
  guests: number
  /** Set when this run could not be measured (e.g. the machine was too busy to bring every guest in). */
  failed?: string
  cpu: number
  rssMiB: number
  delivered: number
  p50: number
  p99: number
  udpSockets: number | null
}

async function runMode(mode: Mode, guests: number, apiBase: string, secretFile: string): Promise<Figures> {
  const measuring = {on: false}
  const received = {packets: 0, latencies: [] as number[]}
  const mediamtx: MediamtxStandin = await startMediamtxStandin({
    configText: 'webrtcLocalUDPAddress: :8189\npaths:\n  all_others:\n',
    whipPort: 0,
    apiPort: 0,
    interfaces: [{name: 'lo', address: '127.0.0.1'}],
    onRtp: (packet) => {
      if (!measuring.on) return
      received.packets += 1
      const stamp = readSyntheticStamp(packet.payload)
      if (stamp) received.latencies.push(performance.timeOrigin + performance.now() - stamp.sentAt)
    },
  })
  const middle =
    mode === 'bare'
      ? bareForwarder()
      : r58(
          [
            ...['relay', 'start', '--listen', '127.0.0.1:0', '--mediamtx', mediamtx.whipUrl, '--stun-urls', ''],
            ...['--mediamtx-api-url', mediamtx.apiUrl ?? '', '--mode', mode, '--max-sessions', '50'],
            ...['--calls-app-id', 'bench', '--calls-app-secret-file', secretFile, '--calls-api-base', apiBase],
          ],
          'relay.started',
          {R58_RELAY_TOKEN: TOKEN},
        )
  const started = await middle.started
  const list: Guest[] = []
  try {
    for (let i = 0; i < guests; i++) {
      const path = `guest-${i}`
      list.push(
        mode === 'bare'
          ? await publish(`${String(started['url'])}/forward?target=${encodeURIComponent(mediamtx.endpoint(path))}`, {})
          : await publish(`${String(started['url'])}/whip/${path}`, {authorization: `Bearer ${TOKEN}`}),
      )
    }
    const deadline = Date.now() + 90_000
    while (mediamtx.state.paths().filter((p) => p.ready).length < guests) {
      if (Date.now() > deadline) {
        const ready = mediamtx.state.paths().filter((p) => p.ready).length
        throw new Error(`only ${ready} of ${guests} guests reached the stand-in within 90 s`)
      }
      await sleep(100)
    }
    await sleep(1500)
    const sentBefore = list.flatMap((g) => g.sources).reduce((n, s) => n + s.stats.packets, 0)
    const before = usage(middle.pid)
    measuring.on = true
    const t0 = Date.now()
    await sleep(SECONDS * 1000)
    measuring.on = false
    const elapsed = Date.now() - t0
    const after = usage(middle.pid)
    const sent = list.flatMap((g) => g.sources).reduce((n, s) => n + s.stats.packets, 0) - sentBefore
    let udpSockets: number | null = null
    if (mode !== 'bare') {
      const status = (await (await fetch(`${String(started['url'])}/status`)).json()) as {udpSockets?: number}
      udpSockets = status.udpSockets ?? null
    }
    return {
      mode,
      guests,
      cpu: ((after.cpuMs - before.cpuMs) / elapsed) * 100,
      rssMiB: after.rssMiB,
      delivered: sent === 0 ? 0 : Math.min(100, (received.packets / sent) * 100),
      p50: percentile(received.latencies, 50),
      p99: percentile(received.latencies, 99),
      udpSockets,
    }
  } finally {
    for (const guest of list) {
      for (const source of guest.sources) source.stop()
      await guest.pc.close()
    }
    await middle.stop()
    await mediamtx.close()
  }
}

export default {
  name: `relay modes: whep vs forward vs bare werift forward, ${COUNTS.join('/')} guests × 2.5 Mbit/s, ${SECONDS} s each`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'r58-bench-modes-'))
    const secretFile = join(dir, 'secret')
    writeFileSync(secretFile, SECRET, {mode: 0o600})
    const emulator = r58(
      ['calls', 'emulate', '--listen', '127.0.0.1:0', '--app-id', 'bench', '--app-secret-file', secretFile],
      'calls.emulator.started',
    )
    const apiBase = String((await emulator.started)['apiBase'])
    const rows: Figures[] = []
    try {
      for (const guests of COUNTS) {
        for (const mode of MODES) {
          const nan = Number.NaN
          rows.push(
            await runMode(mode, guests, apiBase, secretFile).catch((error: unknown) => ({
              ...{mode, guests, cpu: nan, rssMiB: nan, delivered: nan, p50: nan, p99: nan, udpSockets: null},
              failed: error instanceof Error ? error.message : String(error),
            })),
          )
          process.stderr.write(`relay-modes: ${mode} × ${guests} done\n`)
        }
      }
    } finally {
      await emulator.stop()
    }
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-')
    const lines = [
      'mode     guests  CPU (% of a core)  RSS MiB  delivered  latency p50 / p99 ms  relay UDP sockets',
      ...rows.map((r) =>
        r.failed
          ? `${r.mode.padEnd(8)} ${String(r.guests).padStart(6)}  not measured: ${r.failed}`
          : `${r.mode.padEnd(8)} ${String(r.guests).padStart(6)}  ${f(r.cpu).padStart(17)}  ${f(r.rssMiB).padStart(7)}  ${`${f(r.delivered)}%`.padStart(9)}  ${`${f(r.p50)} / ${f(r.p99)}`.padStart(20)}  ${r.udpSockets ?? '-'}`,
      ),
    ]
    for (const guests of COUNTS) {
      const at = (mode: Mode) => rows.find((r) => r.mode === mode && r.guests === guests)
      const [whep, forward, bare] = [at('whep'), at('forward'), at('bare')]
      if (!whep || !forward || !bare || whep.failed || forward.failed || bare.failed) continue
      lines.push(
        `${guests} guest(s): forward/bare CPU ${f(forward.cpu / Math.max(0.1, bare.cpu))}× (target ≤ 1.3×); whep ${f(whep.cpu)}% (target < 2%); the relay hop adds p50 ${f(forward.p50 - whep.p50)} ms, p99 ${f(forward.p99 - whep.p99)} ms in forward mode, none in whep mode`,
      )
    }
    lines.push(
      `machine: ${availableParallelism()} cores shared with the guests, the stand-in, the emulator and this harness (and other work on this machine): latencies include queueing for CPU`,
    )
    return {lines}
  },
} satisfies Bench
