/**
 * `probeTurn`: every TURN URL on its own transport, all at once, each with a named outcome, plus the data
 * path through the relay. Returns report data (results + checks + exit code); never throws for a server
 * that fails, only for usage errors (bad URL, missing credential) and cancellation.
 */

import type {ExitCode} from '../errors.js'
import {R58Error} from '../errors.js'
import {iceServerUrls} from '../ice/ice-url.js'
import {planUrlTargets, type UrlTarget} from '../ice/url-targets.js'
import {classifyAddress} from '../net/address-class.js'
import type {LookupFn} from '../net/dns-resolve.js'
import {type Check, type CheckStatus, exitCodeOf, type FailureKind, isOk, runCheck} from '../report/check.js'
import type {TlsSettings} from '../stun/link.js'
import {failureKindOfOutcome} from '../stun/outcome.js'
import {type EchoResult, probeAllocation, type TurnTargetResult} from './allocation-probe.js'
import {type CloudflareTurnOptions, fetchCloudflareIceServers} from './cloudflare-credentials.js'

export type {EchoResult, TurnTargetResult} from './allocation-probe.js'

export interface ProbeTurnOptions {
  /** turn:/turns: URLs. With `cloudflare`, optional: default every TURN URL Cloudflare hands out. */
  urls?: readonly string[]
  username?: string | undefined
  /** The long-term credential (password). Never part of the report. */
  credential?: string | undefined
  /** Mint credentials (and URLs) from Cloudflare TURN first. */
  cloudflare?: Omit<CloudflareTurnOptions, 'signal' | 'timeoutMs'> | undefined
  /** Deadline of each step. Default 3000 ms. */
  timeoutMs?: number
  /** Echo packets through each relay. Default 5; 0 skips the data-path test. */
  packets?: number
  tls?: TlsSettings | undefined
  signal?: AbortSignal | undefined
  /** Name resolution (default: the system resolver). */
  lookup?: LookupFn | undefined
}

export interface TurnProbeReport {
  /** Where the URLs and credential came from. */
  source: 'options' | 'cloudflare'
  username: string | null
  results: TurnTargetResult[]
  warnings: string[]
  checks: Check[]
  ok: boolean
  exitCode: ExitCode
}

const DEFAULT_TIMEOUT_MS = 3000
const DEFAULT_PACKETS = 5
/** The steps that can each take a full timeout: DNS, connect, TLS, Allocate, CreatePermission, echo, free. */
const STEPS_BOUND = 7

function check(
  id: string,
  title: string,
  status: CheckStatus,
  evidence: string,
  extra: {
    failure?: FailureKind
    fix?: string | undefined
    durationMs: number
    startedAt: string
    data?: Record<string, unknown>
  },
): Check {
  return {
    id,
    title,
    status,
    evidence,
    startedAt: extra.startedAt,
    durationMs: Math.round(extra.durationMs),
    ...(status === 'fail' && {failure: extra.failure ?? 'failed'}),
    ...(extra.fix !== undefined && {fix: extra.fix}),
    ...(extra.data !== undefined && {data: extra.data}),
  }
}

function allocateEvidence(result: TurnTargetResult): string {
  if (result.outcome !== 'ok') return result.message
  const parts = [`relayed ${result.relayedAddress?.address}:${result.relayedAddress?.port}`]
  if (result.lifetimeSeconds !== undefined) parts.push(`lifetime ${result.lifetimeSeconds} s`)
  if (result.rttMs !== undefined) parts.push(`rtt ${result.rttMs} ms`)
  if (result.software !== undefined) parts.push(result.software)
  return parts.join(', ')
}

/**
 * The echo sends UDP from this host to the relayed address. With UDP from this host blocked (its Binding
 * to the server unanswered, or the UDP allocation failed), a TCP or TLS allocation that works cannot be
 * echoed: that is what was observed, not a firewall on the relay ports.
 */
function udpBlockedHere(result: TurnTargetResult, udpAllocationFailed: boolean): boolean {
  return result.transport !== 'udp' && (result.echo?.peerSource === 'allocation-mapped-address' || udpAllocationFailed)
}

function echoCheck(result: TurnTargetResult, startedAt: string, udpAllocationFailed = false): Check | undefined {
  const echo: EchoResult | undefined = result.echo
  if (!echo) return undefined
  const id = `turn.echo.${result.id}`
  const title = `Data path through the ${result.transport.toUpperCase()} relay (${result.url})`
  const base = {startedAt, durationMs: result.timings.totalMs, data: {url: result.url}}
  const rtt = echo.rttMs ? `, rtt ${echo.rttMs.min}/${echo.rttMs.median}/${echo.rttMs.max} ms` : ''
  switch (echo.outcome) {
    case 'ok':
      return check(id, title, 'pass', `${echo.message}${rtt}`, base)
    case 'loss':
      return check(id, title, 'warn', `${echo.message}${rtt}`, {
        ...base,
        fix: 'Some packets were lost: rerun; persistent loss means a congested or rate-limited relay.',
      })
    case 'permission-denied': {
      const scope = echo.peer ? classifyAddress(echo.peer.address).scope : 'unknown'
      // Refusing loopback/private peers is normal (Cloudflare does): the allocation still serves guests.
      const status: CheckStatus = scope === 'internet' ? 'fail' : 'warn'
      return check(id, title, status, echo.message, {
        ...base,
        fix: 'The relay works, but this server will not relay to this kind of address; the data path could not be proven from here.',
      })
    }
    case 'aborted':
      return check(id, title, 'skip', `cancelled: ${echo.message}`, base)
    case 'lost':
      if (udpBlockedHere(result, udpAllocationFailed)) {
        return check(
          id,
          title,
          'warn',
          `the ${result.transport.toUpperCase()} allocation works, but the echo needs UDP between this host and the relay, and UDP from this host gets no answer (${echo.peerSource === 'allocation-mapped-address' ? 'its Binding to the server over UDP was not answered' : 'the UDP allocation failed'}): the data path was not tested from here`,
          {
            ...base,
            fix: `Guests with UDP blocked can use this TURN server over ${result.transport.toUpperCase()} (${result.url}); test the data path from a host that has UDP.`,
          },
        )
      }
      return check(id, title, 'fail', echo.message, {
        ...base,
        fix: 'The allocation works but relayed packets do not come back: a firewall may block the relay port range (coturn min-port/max-port).',
      })
    default:
      return check(id, title, 'fail', echo.message, base)
  }
}

export function checksOf(results: readonly TurnTargetResult[], startedAt: string): Check[] {
  const checks: Check[] = []
  const udpAllocationFailed = results.some((r) => r.transport === 'udp' && r.outcome !== 'ok')
  for (const result of results) {
    const title = `TURN ${result.transport.toUpperCase()} allocation (${result.url})`
    const ok = result.outcome === 'ok'
    if (result.outcome === 'aborted') {
      // Ctrl-C: not tried to the end, so not a failure (what finished before it keeps its verdict).
      const evidence = `cancelled during ${result.step ?? 'the probe'}`
      const timing = {startedAt, durationMs: result.timings.totalMs, data: {url: result.url, outcome: 'aborted'}}
      checks.push(check(`turn.allocate.${result.id}`, title, 'skip', evidence, timing))
      continue
    }
    checks.push(
      check(`turn.allocate.${result.id}`, title, ok ? 'pass' : 'fail', allocateEvidence(result), {
        failure: failureKindOfOutcome(result.outcome),
        fix: result.hint,
        startedAt,
        durationMs: result.timings.allocateMs ?? result.timings.totalMs,
        data: {url: result.url, outcome: result.outcome, ...(result.step !== undefined && {step: result.step})},
      }),
    )
    const echo = echoCheck(result, startedAt, udpAllocationFailed)
    if (echo) checks.push(echo)
  }
  return checks
}

interface Resolved {
  urls: readonly string[]
  username: string
  credential: string
  source: TurnProbeReport['source']
}

/** Runs every target concurrently under one overall deadline (each step also has its own). */
async function probeAll(
  targets: readonly UrlTarget[],
  resolved: Resolved,
  options: ProbeTurnOptions,
): Promise<TurnTargetResult[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const overall = new AbortController()
  const timer = setTimeout(() => overall.abort(new R58Error('E_TIMEOUT', 'overall deadline')), timeoutMs * STEPS_BOUND)
  timer.unref()
  const onAbort = () => overall.abort(options.signal?.reason)
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, {once: true})
  const overallMs = timeoutMs * STEPS_BOUND
  try {
    const results = await Promise.all(
      targets.map((target) =>
        probeAllocation(target, {
          credential: {username: resolved.username, password: resolved.credential},
          timeoutMs,
          packets: options.packets ?? DEFAULT_PACKETS,
          tls: options.tls,
          signal: overall.signal,
          software: 'r58',
          lookup: options.lookup,
        }),
      ),
    )
    if (overall.signal.aborted && !options.signal?.aborted) {
      // Stopped by the overall deadline, not by the user: that is a timeout of the step in progress.
      for (const result of results) {
        if (result.outcome !== 'aborted') continue
        result.outcome = 'timeout'
        result.message = `${result.step ?? 'probe'}: not done within the overall deadline (${overallMs} ms)`
      }
    }
    return results
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
  }
}

export async function probeTurn(options: ProbeTurnOptions): Promise<TurnProbeReport> {
  const startedAt = new Date().toISOString()
  const argvTargets = planUrlTargets(options.urls ?? [], {
    schemes: ['turn', 'turns'],
    hint: 'r58 probe turn takes turn: and turns: URLs; use r58 probe stun for STUN servers.',
  })
  const checks: Check[] = []
  const warnings: string[] = []
  let resolved: Resolved | undefined
  if (options.cloudflare) {
    const cloudflare = options.cloudflare
    let minted: Resolved | undefined
    checks.push(
      await runCheck('turn.credentials.cloudflare', 'Cloudflare TURN credentials', async () => {
        const credentials = await fetchCloudflareIceServers({
          ...cloudflare,
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          ...(options.signal !== undefined && {signal: options.signal}),
        })
        const server = credentials.iceServers.find((s) => s.username !== undefined && s.credential !== undefined)
        if (!server?.username || !server.credential) {
          return {
            status: 'fail',
            failure: 'failed',
            evidence: 'the API answered without a TURN user name and credential',
          }
        }
        const urls = iceServerUrls([server]).filter((url) => /^turns?:/i.test(url))
        minted = {urls, username: server.username, credential: server.credential, source: 'cloudflare'}
        return {
          status: 'pass',
          evidence: `minted ${server.username}, valid ${credentials.ttlSeconds} s, ${urls.length} TURN URLs`,
        }
      }),
    )
    if (options.signal?.aborted) throw new R58Error('E_ABORTED', 'probe turn: cancelled')
    if (!minted)
      return {
        source: 'cloudflare',
        username: null,
        results: [],
        warnings,
        checks,
        ok: isOk(checks),
        exitCode: exitCodeOf(checks),
      }
    resolved = {...minted, urls: argvTargets.length > 0 ? argvTargets.map((t) => t.url) : minted.urls}
  } else {
    if (argvTargets.length === 0) {
      throw new R58Error('E_USAGE', 'No TURN URL given', {
        field: 'URL',
        hint: 'Pass turn:host:port?transport=udp|tcp or turns:host:port URLs, set turn.urls, or use --cloudflare-turn.',
      })
    }
    if (!options.username)
      throw new R58Error('E_USAGE', 'Missing the TURN user name', {
        field: '--turn-username',
        hint: 'Pass --turn-username.',
      })
    if (!options.credential) {
      throw new R58Error('E_USAGE', 'Missing the TURN credential', {
        field: '--turn-credential-file',
        hint: 'Pass --turn-credential-file FILE (or set R58_TURN_CREDENTIAL).',
      })
    }
    resolved = {
      urls: argvTargets.map((t) => t.url),
      username: options.username,
      credential: options.credential,
      source: 'options',
    }
  }
  const targets = planUrlTargets(resolved.urls, {schemes: ['turn', 'turns']})
  if (options.tls?.insecure && targets.some((t) => t.transport === 'tls')) {
    warnings.push('--insecure: TLS certificates are not verified; a TLS success proves nothing about who answered.')
  }
  // Cancelled (Ctrl-C): the report keeps what finished; what was cut short is `skip`, and the command exits 130.
  const results = await probeAll(targets, resolved, options)
  checks.push(...checksOf(results, startedAt))
  return {
    source: resolved.source,
    username: resolved.username,
    results,
    warnings,
    checks,
    ok: isOk(checks),
    exitCode: exitCodeOf(checks),
  }
}
