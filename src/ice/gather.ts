/**
 * `gatherCandidates`: ICE candidates as a browser would gather them (werift), one peer connection per ICE
 * server URL (werift uses only the first TURN URL of a list), listed like the WebRTC "trickle ICE" page,
 * with a plain-language warning for each kind of candidate that should be there and is not.
 *
 * werift runs in a child process (gather-child.ts) that is told to close its peer connections and exit at
 * the deadline, and killed if it does not: werift keeps the socket of an unfinished TURN allocation open
 * after close(), which would otherwise keep this process alive.
 */
import {type ChildProcess, fork} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import type {ExitCode} from '../errors.js'
import {R58Error} from '../errors.js'
import {type Check, exitCodeOf, isOk, skippedCheck} from '../report/check.js'
import type {TlsSettings} from '../stun/link.js'
import {waitExit} from '../util/child-process.js'
import type {ChildMessage, GatherJob, ParentMessage} from './gather-protocol.js'
import {type ParsedCandidate, parseCandidate} from './ice-candidate.js'
import {type IceServer, type IceTransport, parseIceUrl} from './ice-url.js'
import {withSuffixes} from './url-targets.js'

export interface GatherOptions {
  /** STUN and TURN servers; none gathers host candidates only (werift never falls back to a public server). */
  iceServers: readonly IceServer[]
  /** iceTransportPolicy "relay": only relay candidates. */
  relayOnly?: boolean
  /** How long to wait for gathering to complete. Default 3000 ms. */
  timeoutMs?: number
  /** For turns: URLs. */
  tls?: TlsSettings | undefined
  signal?: AbortSignal | undefined
}

export interface GatheredCandidate extends ParsedCandidate {
  /** Milliseconds from the start of gathering. */
  elapsedMs: number
  /** The ICE server URL whose peer connection produced it; null for host candidates. */
  url: string | null
  /** For relay candidates: how this side reaches the TURN server (the URL's transport). */
  relayProtocol?: IceTransport
}

export interface IceServerGather {
  url: string | null
  kind: 'stun' | 'turn' | null
  transport: IceTransport | null
  /** True when werift finished gathering before the deadline. */
  complete: boolean
  elapsedMs?: number
  error?: string
  candidates: number
}

export interface CandidateSummary {
  host: number
  srflx: number
  prflx: number
  relay: number
}

export interface IceGatherReport {
  relayOnly: boolean
  servers: IceServerGather[]
  candidates: GatheredCandidate[]
  summary: CandidateSummary
  /** True when every peer connection completed gathering before the deadline. */
  complete: boolean
  /** From the start of gathering to its end (completion or deadline). */
  elapsedMs: number
  /** Starting the gatherer process and loading werift, before gathering. */
  startupMs: number
  warnings: string[]
  checks: Check[]
  ok: boolean
  exitCode: ExitCode
}

interface PlannedUrl {
  url: string
  kind: 'stun' | 'turn'
  transport: IceTransport
  port: number
  server: IceServer
}

function planJobs(options: GatherOptions): PlannedUrl[] {
  const planned: PlannedUrl[] = []
  for (const server of options.iceServers) {
    for (const url of Array.isArray(server.urls) ? server.urls : [server.urls]) {
      const ice = parseIceUrl(url, '--ice-server')
      if (ice.scheme === 'stuns') {
        throw new R58Error(
          'E_USAGE',
          `--ice-server: ${JSON.stringify(url)}: stuns: is not supported by browsers or werift`,
          {
            field: '--ice-server',
            hint: 'Use stun:host:port.',
          },
        )
      }
      if (ice.isTurn && (!server.username || !server.credential)) {
        throw new R58Error('E_USAGE', `--ice-server: ${JSON.stringify(url)} needs a TURN user name and credential`, {
          field: '--ice-server',
          hint: 'Pass --turn-username and --turn-credential-file.',
        })
      }
      planned.push({
        url,
        kind: ice.isTurn ? 'turn' : 'stun',
        transport: ice.transport,
        port: ice.port,
        server: {
          urls: url,
          ...(server.username !== undefined && {username: server.username}),
          ...(server.credential !== undefined && {credential: server.credential}),
        },
      })
    }
  }
  if (options.relayOnly && !planned.some((p) => p.kind === 'turn')) {
    throw new R58Error('E_USAGE', '--relay-only needs a TURN URL', {
      field: '--relay-only',
      hint: 'Add --ice-server turn:host:port?transport=udp (with --turn-username and --turn-credential-file).',
    })
  }
  return planned
}

/** The loader flags (tsx in development and tests) a TypeScript child needs; none for the built JavaScript. */
function childExecArgv(isTypeScript: boolean): string[] {
  if (!isTypeScript) return []
  const args: string[] = []
  const argv = process.execArgv
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (/^--(import|require|loader|experimental-loader)=/.test(arg)) args.push(arg)
    else if (/^--(import|require|loader|experimental-loader)$/.test(arg) && argv[i + 1] !== undefined)
      args.push(arg, argv[++i] as string)
  }
  return args.length > 0 ? args : ['--import', 'tsx']
}

function spawnChild(): ChildProcess {
  const here = import.meta.url
  const isTypeScript = here.endsWith('.ts')
  const path = fileURLToPath(new URL(isTypeScript ? './gather-child.ts' : './gather-child.js', here))
  return fork(path, [], {
    execArgv: childExecArgv(isTypeScript),
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
  })
}

/** Starting a Node process and loading werift: seconds on a slow machine, never more than this. */
const STARTUP_TIMEOUT_MS = 15_000

interface Raw {
  job: number
  elapsedMs: number
  candidate: string
}

/** Runs the jobs in a child process until all complete, the deadline passes, or the signal fires. */
async function runChild(jobs: GatherJob[], timeoutMs: number, signal?: AbortSignal) {
  const raw: Raw[] = []
  const status = jobs.map(() => ({
    complete: false,
    elapsedMs: undefined as number | undefined,
    error: undefined as string | undefined,
  }))
  const child = spawnChild()
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  let timer: NodeJS.Timeout | undefined
  let ready = false
  const spawnedAt = performance.now()
  let readyAt = spawnedAt
  // Starting Node and loading werift takes a while; the gathering deadline counts from 'ready'.
  const startup = setTimeout(finish, STARTUP_TIMEOUT_MS)
  startup.unref()
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'ready') {
      ready = true
      readyAt = performance.now()
      clearTimeout(startup)
      timer = setTimeout(finish, timeoutMs)
      timer.unref()
      child.send({type: 'start', jobs, deadlineMs: timeoutMs + 2000} satisfies ParentMessage)
    } else if (message.type === 'candidate') raw.push(message)
    else if (message.type === 'complete' || message.type === 'error') {
      const entry = status[message.job]
      if (!entry) return
      entry.complete = message.type === 'complete'
      entry.elapsedMs = message.type === 'complete' ? message.elapsedMs : entry.elapsedMs
      if (message.type === 'error') entry.error = message.message
      if (status.every((s) => s.complete || s.error !== undefined)) finish()
    }
  })
  let spawnError: Error | undefined
  child.once('error', (error) => {
    spawnError = error
    finish()
  })
  child.once('exit', () => finish())
  if (signal?.aborted) finish()
  signal?.addEventListener('abort', finish, {once: true})
  let finishedAt = spawnedAt
  try {
    await finished
    finishedAt = performance.now()
  } finally {
    clearTimeout(startup)
    clearTimeout(timer)
    signal?.removeEventListener('abort', finish)
    if (child.connected) child.send({type: 'stop'} satisfies ParentMessage)
    if (!(await waitExit(child, 3000))) {
      child.kill('SIGKILL')
      await waitExit(child, 3000)
    }
  }
  if (spawnError || (!ready && !signal?.aborted)) {
    const why =
      spawnError?.message ??
      `it exited (code ${child.exitCode ?? child.signalCode}) or did not start within ${STARTUP_TIMEOUT_MS} ms`
    throw new R58Error('E_CHECK_FAILED', `could not start the candidate gatherer (werift): ${why}`)
  }
  return {raw, status, startupMs: Math.round(readyAt - spawnedAt), gatherMs: Math.round(finishedAt - readyAt)}
}

const count = (candidates: readonly GatheredCandidate[], type: ParsedCandidate['type']) =>
  candidates.filter((c) => c.type === type).length

function checksOf(
  planned: readonly PlannedUrl[],
  candidates: readonly GatheredCandidate[],
  relayOnly: boolean,
  startedAt: string,
  durationMs: number,
) {
  const checks: Check[] = []
  const warnings: string[] = []
  const base = {startedAt, durationMs: Math.round(durationMs)}
  const hosts = candidates.filter((c) => c.type === 'host')
  if (relayOnly)
    checks.push(skippedCheck('ice.host', 'Host candidates', '--relay-only: host candidates are not gathered'))
  else if (hosts.length > 0) {
    const addresses = [...new Set(hosts.map((c) => c.address))].join(', ')
    checks.push({
      ...base,
      id: 'ice.host',
      title: 'Host candidates',
      status: 'pass',
      evidence: `${hosts.length} host candidates: ${addresses}`,
    })
  } else {
    const text =
      'no host candidate: no usable network interface (werift skips loopback, tun/utun and link-local interfaces)'
    warnings.push(text)
    checks.push({...base, id: 'ice.host', title: 'Host candidates', status: 'warn', evidence: text})
  }
  for (const [kind, type] of [
    ['stun', 'srflx'],
    ['turn', 'relay'],
  ] as const) {
    for (const target of withSuffixes(planned.filter((p) => p.kind === kind))) {
      const id = `ice.${type}.${target.suffix}`
      const title = `${type === 'srflx' ? 'Server-reflexive' : 'Relay'} candidate from ${target.url}`
      if (type === 'srflx' && relayOnly) {
        checks.push(skippedCheck(id, title, '--relay-only: server-reflexive candidates are not gathered'))
        continue
      }
      const found = candidates.filter((c) => c.url === target.url && c.type === type)
      if (found.length > 0) {
        const list = found.map((c) => `${c.address}:${c.port}`).join(', ')
        checks.push({...base, id, title, status: 'pass', evidence: `${found.length} ${type} candidate(s): ${list}`})
        continue
      }
      const text =
        type === 'srflx'
          ? `no server-reflexive candidate: STUN unreachable or UDP blocked — run \`r58 probe stun ${target.url}\``
          : `no relay candidate: TURN unreachable or credentials rejected — run \`r58 probe turn ${target.url}\``
      warnings.push(`${text} (${target.url})`)
      checks.push({...base, id, title, status: 'fail', failure: 'failed', evidence: text})
    }
  }
  return {checks, warnings}
}

export async function gatherCandidates(options: GatherOptions): Promise<IceGatherReport> {
  const planned = planJobs(options)
  const relayOnly = options.relayOnly === true
  const timeoutMs = options.timeoutMs ?? 3000
  const startedAt = new Date().toISOString()
  const tls = {
    ...(options.tls?.ca !== undefined && {tlsCa: options.tls.ca.toString()}),
    ...(options.tls?.insecure === true && {tlsInsecure: true}),
  }
  const jobs: GatherJob[] =
    planned.length === 0
      ? [{iceServers: [], relayOnly, ...tls}]
      : planned.map((p) => ({iceServers: [p.server], relayOnly, ...tls}))
  const {raw, status, startupMs, gatherMs} = await runChild(jobs, timeoutMs, options.signal)
  if (options.signal?.aborted) throw new R58Error('E_ABORTED', 'probe ice: cancelled')
  const candidates: GatheredCandidate[] = []
  for (const entry of raw) {
    const parsed = parseCandidate(entry.candidate)
    if (!parsed) continue
    const source = planned[entry.job]
    // One peer connection per URL means host candidates once per connection: keep the first connection's.
    if (parsed.type === 'host' && entry.job !== 0) continue
    if (relayOnly && parsed.type !== 'relay') continue
    candidates.push({
      ...parsed,
      elapsedMs: entry.elapsedMs,
      url: parsed.type === 'host' ? null : (source?.url ?? null),
      ...(parsed.type === 'relay' && source && {relayProtocol: source.transport}),
    })
  }
  candidates.sort((a, b) => a.elapsedMs - b.elapsedMs)
  const elapsedMs = gatherMs
  const servers: IceServerGather[] = jobs.map((_, i) => {
    const p = planned[i]
    const s = status[i]
    return {
      url: p?.url ?? null,
      kind: p?.kind ?? null,
      transport: p?.transport ?? null,
      complete: s?.complete ?? false,
      ...(s?.elapsedMs !== undefined && {elapsedMs: s.elapsedMs}),
      ...(s?.error !== undefined && {error: s.error}),
      candidates: candidates.filter((c) => c.url === (p?.url ?? null) || (i === 0 && c.type === 'host')).length,
    }
  })
  const {checks, warnings} = checksOf(planned, candidates, relayOnly, startedAt, elapsedMs)
  return {
    relayOnly,
    servers,
    candidates,
    summary: {
      host: count(candidates, 'host'),
      srflx: count(candidates, 'srflx'),
      prflx: count(candidates, 'prflx'),
      relay: count(candidates, 'relay'),
    },
    complete: servers.every((s) => s.complete),
    elapsedMs,
    startupMs,
    warnings,
    checks,
    ok: isOk(checks),
    exitCode: exitCodeOf(checks),
  }
}
