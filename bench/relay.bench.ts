/**
 * N guests × (2.5 Mbit/s synthetic VP8 + Opus) through the relay: guest → Calls emulator → relay → MediaMTX
 * stand-in, everything on loopback. The relay and the emulator run as their own processes (the real CLI), so
 * the relay's CPU and memory are its own; the guests and the stand-in run here.
 *
 * Printed: relay CPU (share of one core), RSS idle and per session, packet loss from the guests to the
 * stand-in, end-to-end latency from the frames' stamps, and what the relay hop adds, measured per frame: one
 * more publisher pushes to Calls directly, a werift subscriber pulls its video from Calls and the relay pulls
 * the same track (`POST /relay/pull`) into the stand-in, so each frame arrives twice in this process — the
 * difference of the two arrival times is the relay's receive → send time plus one loopback hop.
 * Environment: R58_BENCH_GUESTS (default 10), R58_BENCH_SECONDS (default 10), R58_BENCH_PROFILE=DIR (a CPU
 * profile of the relay and of the emulator, for Chrome DevTools, in DIR).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import type {RTCPeerConnection, RtpPacket} from 'werift'
import {CallsClient} from '../src/calls/calls-client.js'
import {createPeer, localDescription, waitForConnected} from '../src/media/peer.js'
import {createSyntheticSource, readSyntheticStamp, type SyntheticSource} from '../src/media/synthetic.js'
import {requestRelayPull} from '../src/relay/pull-client.js'
import {startMediamtxStandin} from '../src/sim/mediamtx/standin-server.js'
import type {Bench} from './run.js'
import {percentile} from './stats.js'

const GUESTS = Number(process.env['R58_BENCH_GUESTS'] ?? 10)
const SECONDS = Number(process.env['R58_BENCH_SECONDS'] ?? 10)
const ROOT = join(import.meta.dirname, '..')
const TOKEN = 'bench-relay-token-0123456789'
const SECRET = 'bench-calls-secret-0123456789'
const BASELINE_PATH = 'baseline'
const peer = () => createPeer({hostAddresses: ['127.0.0.1']})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Proc {
  pid: number
  started: Promise<Record<string, unknown>>
  stop(): Promise<void>
}

/** An r58 command as its own process, reading its NDJSON events until `startEvent`. */
const PROFILE = process.env['R58_BENCH_PROFILE']

export function r58(args: string[], startEvent: string, env: Record<string, string> = {}): Proc {
  const profile = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : []
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, 'bin/dev.js'), ...args, '--json'], {
    cwd: ROOT,
    env: {...process.env, ...env, CI: 'true'},
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: no ${startEvent}`)), 30_000)
    createInterface({input: child.stdout}).on('line', (line) => {
      const event = JSON.parse(line) as Record<string, unknown>
      if (event['event'] === startEvent) {
        clearTimeout(timer)
        resolve(event)
      }
    })
  })
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  return {
    pid: child.pid ?? 0,
    started,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** utime + stime in ms, and RSS in MiB, of a process (Linux /proc). */
export function usage(pid: number): {cpuMs: number; rssMiB: number} {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  const ticks = Number(stat[11]) + Number(stat[12]) // fields 14 and 15 of the full line
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return {cpuMs: (ticks * 1000) / 100, rssMiB: Number(rss) / 1024}
}

/** Busy and total CPU time of the whole machine, in clock ticks (/proc/stat). */
function machineTicks(): {busy: number; total: number} {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((sum, n) => sum + n, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0) // idle + iowait
  return {busy: total - idle, total}
}

/** Sequence gaps the relay has seen on its Calls legs, all sessions (its operator /status). */
async function gapsFromCalls(adminUrl: string): Promise<number> {
  const status = (await (await fetch(`${adminUrl}/status`)).json()) as {sessions: {legs: {fromCalls: {lost: number}}}[]}
  return status.sessions.reduce((n, s) => n + s.legs.fromCalls.lost, 0)
}

interface Guest {
  pc: RTCPeerConnection
  sources: SyntheticSource[]
}

async function publishGuest(relayUrl: string, path: string): Promise<Guest> {
  const pc = peer()
  const sources = [
    createSyntheticSource({codec: 'vp8', bitrateKbps: 2500, fps: 30, keyframeIntervalMs: 2000}),
    createSyntheticSource({codec: 'opus'}),
  ]
  for (const source of sources) source.attach(pc.addTransceiver(source.track, {direction: 'sendonly'}).sender)
  await pc.setLocalDescription(await pc.createOffer())
  const response = await fetch(`${relayUrl}/whip/${path}`, {
    method: 'POST',
    headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
    body: localDescription(pc).sdp,
  })
  if (response.status !== 201) throw new Error(`relay answered ${response.status}: ${await response.text()}`)
  await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
  return {pc, sources}
}

/**
 * A publisher pushing straight to Calls, and a subscriber pulling its video: the same path minus the relay.
 * Returns the subscriber and the publisher's Calls session (for the relay to pull the same track).
 */
async function directBaseline(
  apiBase: string,
  onFrame: (frame: number, arrivedAt: number) => void,
  baseline: Guest[],
): Promise<{subscriber: RTCPeerConnection; sessionId: string}> {
  const client = new CallsClient({appId: 'bench', appSecret: SECRET, apiBase})
  const pc = peer()
  const source = createSyntheticSource({codec: 'vp8', bitrateKbps: 2500, fps: 30, keyframeIntervalMs: 2000})
  const transceiver = pc.addTransceiver(source.track, {direction: 'sendonly'})
  baseline.push({pc, sources: [source]})
  await pc.setLocalDescription(await pc.createOffer())
  const publisher = await client.newSession()
  const pushed = await client.pushTracks(publisher.sessionId, {
    offer: localDescription(pc),
    tracks: [{mid: transceiver.mid ?? '0', trackName: 'video'}],
  })
  await pc.setRemoteDescription(pushed.answer)
  await waitForConnected(pc, 10_000)
  const subscriber = peer()
  subscriber.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((packet) => {
      const stamp = readSyntheticStamp(packet.payload)
      if (stamp) onFrame(stamp.frame, performance.timeOrigin + performance.now())
    }),
  )
  const session = await client.newSession()
  await client.pullTracks(session.sessionId, {
    tracks: [{sessionId: publisher.sessionId, trackName: 'video', kind: 'video'}],
    answer: async (offer) => {
      await subscriber.setRemoteDescription(offer)
      await subscriber.setLocalDescription(await subscriber.createAnswer())
      return localDescription(subscriber)
    },
  })
  await waitForConnected(subscriber, 10_000)
  return {subscriber, sessionId: publisher.sessionId}
}

export default {
  name: `relay: ${GUESTS} guests × (2.5 Mbit/s VP8 + Opus) through emulator, relay and stand-in`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'r58-bench-relay-'))
    const secretFile = join(dir, 'secret')
    writeFileSync(secretFile, SECRET, {mode: 0o600})
    const measuring = {on: false}
    const received = {packets: 0, latencies: [] as number[]}
    // Arrival times of the baseline's frames: straight from Calls, and through the relay.
    const arrivals = {direct: new Map<number, number>(), relayed: new Map<number, number>()}
    const mediamtx = await startMediamtxStandin({
      configText: 'webrtcLocalUDPAddress: :8189\npaths:\n  all_others:\n',
      whipPort: 0,
      apiPort: 0,
      interfaces: [{name: 'lo', address: '127.0.0.1'}],
      onRtp: (packet: RtpPacket, from) => {
        if (!measuring.on) return
        const stamp = readSyntheticStamp(packet.payload)
        if (from.path === BASELINE_PATH) {
          if (stamp) arrivals.relayed.set(stamp.frame, performance.timeOrigin + performance.now())
          return
        }
        received.packets += 1
        if (stamp) received.latencies.push(performance.timeOrigin + performance.now() - stamp.sentAt)
      },
    })
    const emulator = r58(
      ['calls', 'emulate', '--listen', '127.0.0.1:0', '--app-id', 'bench', '--app-secret-file', secretFile],
      'calls.emulator.started',
    )
    const apiBase = String((await emulator.started)['apiBase'])
    const relay = r58(
      [
        ...[
          'relay',
          'start',
          '--listen',
          '127.0.0.1:0',
          '--mediamtx',
          mediamtx.whipUrl,
          '--stun-urls',
          '',
          '--max-sessions',
          '50',
          '--admin-listen',
          '127.0.0.1:0',
        ],
        ...['--calls-app-id', 'bench', '--calls-app-secret-file', secretFile, '--calls-api-base', apiBase],
      ],
      'relay.started',
      {R58_RELAY_TOKEN: TOKEN},
    )
    const relayUrl = String((await relay.started)['url'])
    const adminUrl = String((await relay.started)['adminUrl'])
    await sleep(1000)
    const idle = usage(relay.pid)
    const guests: Guest[] = []
    const baseline: Guest[] = []
    let direct: RTCPeerConnection | undefined
    try {
      for (let i = 0; i < GUESTS; i++) guests.push(await publishGuest(relayUrl, `guest-${i}`))
      const deadline = Date.now() + 60_000
      while (mediamtx.sessions().filter((s) => s.state === 'publishing').length < GUESTS) {
        if (Date.now() > deadline) throw new Error('not every guest reached the stand-in within 60 s')
        await sleep(100)
      }
      // The baseline: one more publisher pushes to Calls directly; a werift subscriber and the relay pull it.
      const base = await directBaseline(
        apiBase,
        (frame, at) => {
          if (measuring.on) arrivals.direct.set(frame, at)
        },
        baseline,
      )
      direct = base.subscriber
      await requestRelayPull({
        url: adminUrl,
        sessionId: base.sessionId,
        trackNames: ['video'],
        path: BASELINE_PATH,
      })
      await sleep(2000)
      const sentBefore = guests.flatMap((g) => g.sources).reduce((n, s) => n + s.stats.packets, 0)
      const gapsBefore = await gapsFromCalls(adminUrl)
      const cpuBefore = usage(relay.pid)
      const machineBefore = machineTicks()
      const emulatorBefore = usage(emulator.pid)
      measuring.on = true
      const started = Date.now()
      await sleep(SECONDS * 1000)
      measuring.on = false
      const elapsed = Date.now() - started
      const cpuAfter = usage(relay.pid)
      const machineAfter = machineTicks()
      const emulatorAfter = usage(emulator.pid)
      const machineBusy =
        (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)
      const sent = guests.flatMap((g) => g.sources).reduce((n, s) => n + s.stats.packets, 0) - sentBefore
      const lostAtRelay = (await gapsFromCalls(adminUrl)) - gapsBefore
      const cores = (cpuAfter.cpuMs - cpuBefore.cpuMs) / elapsed
      const added = [...arrivals.relayed].flatMap(([frame, at]) => {
        const straight = arrivals.direct.get(frame)
        return straight === undefined ? [] : [at - straight]
      })
      const f = (n: number) => n.toFixed(1)
      return {
        lines: [
          `relay CPU: ${f(cores * 100)}% of one core for ${GUESTS} guests (target < 100%)`,
          `relay RSS: ${f(idle.rssMiB)} MiB idle, ${f(cpuAfter.rssMiB)} MiB with ${GUESTS} guests → ${f((cpuAfter.rssMiB - idle.rssMiB) / GUESTS)} MiB per session (target < 20)`,
          `packets: ${sent} sent by guests, ${received.packets} reached the stand-in in the window (${f(Math.max(0, (1 - received.packets / sent) * 100))}% short, incl. in-flight); relay saw ${lostAtRelay} sequence gaps from Calls in the window`,
          `latency guest → stand-in via relay: p50 ${f(percentile(received.latencies, 50))} ms, p99 ${f(percentile(received.latencies, 99))} ms (n=${received.latencies.length})`,
          `added by the relay hop, same frames via Calls → subscriber and Calls → relay → stand-in: p50 ${f(percentile(added, 50))} ms, p99 ${f(percentile(added, 99))} ms (n=${added.length} frames; target p99 < 5 ms)`,
          `machine: ${f(machineBusy * 100)}% of ${availableParallelism()} cores busy; Calls emulator ${f(((emulatorAfter.cpuMs - emulatorBefore.cpuMs) / elapsed) * 100)}% of one core; the guests, the stand-in and this harness share the same cores (near 100% busy, the latency figures are queueing for CPU)`,
        ],
      }
    } finally {
      for (const guest of [...guests, ...baseline]) {
        for (const source of guest.sources) source.stop()
        await guest.pc.close()
      }
      await direct?.close()
      await relay.stop()
      await emulator.stop()
      await mediamtx.close()
    }
  },
} satisfies Bench
