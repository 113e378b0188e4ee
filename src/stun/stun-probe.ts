/**
 * `probeStun`: Binding requests to every STUN URL (UDP; TCP or TLS when the URL says so, or with `tcp`),
 * RTT over several requests, the mapped and local addresses, and the NAT mapping behaviour seen from ONE
 * local UDP socket across the servers (plus RFC 5780 OTHER-ADDRESS when a server offers it).
 */

import type {ExitCode} from '../errors.js'
import {R58Error} from '../errors.js'
import type {IceUrl} from '../ice/ice-url.js'
import {planUrlTargets, type UrlTarget, withSuffixes} from '../ice/url-targets.js'
import type {LookupFn} from '../net/dns-resolve.js'
import {resolveHost} from '../net/dns-resolve.js'
import {type Endpoint, formatEndpoint} from '../net/endpoint.js'
import {type Check, exitCodeOf, isOk, skippedCheck} from '../report/check.js'
import {localAddressTowards, openStreamLink, type TlsSettings, UdpPort} from './link.js'
import {bindingRequest, viewOf} from './message.js'
import {type MappingObservation, type MappingVerdict, mappingVerdict} from './nat-mapping.js'
import {asStepFailure, failureKindOfOutcome, type ProbeStep, type ProbeTargetResult} from './outcome.js'
import {type RttSummary, summarizeRtts} from './rtt.js'
import {type TransactIo, transact} from './transaction.js'

export interface ProbeStunOptions {
  urls: readonly string[]
  /** Binding requests per server. Default 5. */
  count?: number
  /** Also try TCP for every UDP URL (stun:host:port → the same port over TCP). */
  tcp?: boolean
  /** Deadline of each step. Default 3000 ms. */
  timeoutMs?: number
  tls?: TlsSettings | undefined
  signal?: AbortSignal | undefined
  /** Name resolution (default: the system resolver). */
  lookup?: LookupFn | undefined
}

export interface StunServerResult extends ProbeTargetResult {
  mapped?: Endpoint
  otherAddress?: Endpoint
  responseOrigin?: Endpoint
  software?: string
  sent: number
  received: number
  rttMs?: RttSummary
  durationMs: number
}

export interface StunProbeReport {
  results: StunServerResult[]
  mapping: MappingVerdict & {local?: Endpoint; observations: MappingObservation[]}
  checks: Check[]
  ok: boolean
  exitCode: ExitCode
}

interface Series {
  sent: number
  received: number
  rtts: number[]
  first?: ReturnType<typeof viewOf>
}

/** `count` Binding requests one after the other; the first unanswered one ends the series. */
async function bindingSeries(io: TransactIo, count: number, timeoutMs: number, signal?: AbortSignal): Promise<Series> {
  const series: Series = {sent: 0, received: 0, rtts: []}
  for (let i = 0; i < count; i++) {
    series.sent += 1
    try {
      const answer = await transact(bindingRequest(), io, {timeoutMs, signal, step: 'Binding'})
      series.received += 1
      series.rtts.push(answer.rttMs)
      series.first ??= viewOf(answer.message)
    } catch (error) {
      if (series.received === 0 || signal?.aborted) throw error
      break // one lost request after answers: counted, and the series ends (bounds the probe's duration)
    }
  }
  return series
}

function emptyResult(target: UrlTarget): StunServerResult {
  return {
    url: target.url,
    id: target.suffix,
    transport: target.transport,
    host: target.host,
    port: target.port,
    outcome: 'ok',
    message: '',
    sent: 0,
    received: 0,
    durationMs: 0,
  }
}

function fillFromSeries(result: StunServerResult, series: Series): void {
  result.sent = series.sent
  result.received = series.received
  const rtt = summarizeRtts(series.rtts)
  if (rtt) result.rttMs = rtt
  const view = series.first
  if (view?.mapped) result.mapped = view.mapped
  if (view?.otherAddress) result.otherAddress = view.otherAddress
  if (view?.responseOrigin) result.responseOrigin = view.responseOrigin
  if (view?.software) result.software = view.software
  result.message = view?.mapped ? `mapped address ${formatEndpoint(view.mapped)}` : 'the answer has no mapped address'
  if (!view?.mapped) result.outcome = 'error'
}

function fail(result: StunServerResult, error: unknown, step: ProbeStep): void {
  const failure = asStepFailure(error, step)
  result.outcome = failure.outcome
  result.step = failure.step
  result.message = failure.text
  if (failure.hint !== undefined) result.hint = failure.hint
  // The request that went unanswered was sent.
  if (failure.step === 'stun-response') result.sent = Math.max(result.sent, 1)
}

async function probeStream(
  target: UrlTarget,
  server: Endpoint,
  options: Required<Pick<ProbeStunOptions, 'count' | 'timeoutMs'>> & ProbeStunOptions,
  result: StunServerResult,
) {
  let step: ProbeStep = 'tcp-connect'
  const link = await openStreamLink({
    transport: target.transport === 'tls' ? 'tls' : 'tcp',
    remote: server,
    servername: target.host,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    ...(options.tls !== undefined && {tls: options.tls}),
  }).catch((error) => {
    fail(result, error, step)
    return undefined
  })
  if (!link) return
  try {
    result.local = link.local
    if (link.tls) result.tls = link.tls
    step = 'stun-response'
    fillFromSeries(result, await bindingSeries(link, options.count, options.timeoutMs, options.signal))
  } catch (error) {
    fail(result, error, step)
  } finally {
    await link.close()
  }
}

/** The RFC 5780 tests from the same socket: the other IP with the primary port, then the other IP and port. */
async function otherAddressObservations(
  port: UdpPort,
  result: StunServerResult,
  options: {timeoutMs: number; signal?: AbortSignal | undefined},
): Promise<MappingObservation[]> {
  const other = result.otherAddress
  const server = result.server
  if (!other || !server || other.address === server.address) return []
  const destinations: Endpoint[] = [{address: other.address, port: server.port}, other]
  const observations: MappingObservation[] = []
  for (const destination of destinations) {
    try {
      const answer = await transact(bindingRequest(), port.to(destination), {...options, step: 'Binding (RFC 5780)'})
      observations.push({via: `OTHER-ADDRESS of ${result.url}`, destination, mapped: viewOf(answer.message).mapped})
    } catch {
      observations.push({via: `OTHER-ADDRESS of ${result.url}`, destination})
    }
  }
  return observations
}

function bindingCheck(result: StunServerResult, startedAt: string): Check {
  const id = `stun.binding.${result.id}`
  const title = `STUN Binding over ${result.transport.toUpperCase()} (${result.url})`
  const rtt = result.rttMs ? `, rtt ${result.rttMs.min}/${result.rttMs.median}/${result.rttMs.max} ms` : ''
  const base = {id, title, startedAt, durationMs: result.durationMs, data: {url: result.url, outcome: result.outcome}}
  if (result.outcome === 'ok') {
    return {...base, status: 'pass', evidence: `${result.message}${rtt} (${result.received}/${result.sent} answered)`}
  }
  return {
    ...base,
    status: 'fail',
    failure: failureKindOfOutcome(result.outcome),
    evidence: result.message,
    ...(result.hint !== undefined && {fix: result.hint}),
  }
}

function mappingCheck(mapping: MappingVerdict, udpTargets: number, startedAt: string): Check {
  const id = 'stun.mapping'
  const title = 'NAT mapping behaviour (UDP)'
  if (udpTargets === 0) return skippedCheck(id, title, 'no UDP STUN URL given')
  const base = {
    id,
    title,
    startedAt,
    durationMs: 0,
    evidence: `${mapping.verdict} (${mapping.basis})`,
    data: {behaviour: mapping.behaviour},
  }
  switch (mapping.behaviour) {
    case 'endpoint-independent':
      return {...base, status: 'pass'}
    case 'untested':
    case 'no-answer':
      return {...base, status: 'skip'}
    default:
      return {...base, status: 'warn', fix: 'Give guests TURN (r58 turn credentials; check it with r58 probe turn).'}
  }
}

function tcpTwin(target: IceUrl): IceUrl {
  return {
    ...target,
    url: `${target.scheme}:${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}?transport=tcp`,
    transport: 'tcp',
  }
}

export async function probeStun(options: ProbeStunOptions): Promise<StunProbeReport> {
  const startedAt = new Date().toISOString()
  const planned = planUrlTargets(options.urls, {schemes: ['stun', 'stuns', 'turn', 'turns']})
  if (planned.length === 0) {
    throw new R58Error('E_USAGE', 'No STUN URL given', {
      field: 'URL',
      hint: 'Pass stun:host:port URLs, or set stun.urls.',
    })
  }
  const targets = withSuffixes(
    options.tcp ? planned.flatMap((t) => (t.transport === 'udp' ? [t, tcpTwin(t)] : [t])) : planned,
  )
  const settings = {...options, count: options.count ?? 5, timeoutMs: options.timeoutMs ?? 3000}
  const results = targets.map(emptyResult)
  const servers = await Promise.all(
    targets.map(async (target, i) => {
      try {
        const resolved = await resolveHost(target.host, settings.timeoutMs, options.signal, options.lookup)
        const server = {address: resolved.address, port: target.port}
        ;(results[i] as StunServerResult).server = server
        return {server, family: resolved.family}
      } catch (error) {
        fail(results[i] as StunServerResult, error, 'dns')
        return undefined
      }
    }),
  )
  const ports = new Map<4 | 6, UdpPort>()
  const observations: MappingObservation[] = []
  let local: Endpoint | undefined
  try {
    for (const found of servers) {
      if (found && !ports.has(found.family))
        ports.set(found.family, await UdpPort.open(found.family === 6 ? 'udp6' : 'udp4'))
    }
    await Promise.all(
      targets.map(async (target, i) => {
        const found = servers[i]
        const result = results[i] as StunServerResult
        if (!found) return
        const started = performance.now()
        if (target.transport !== 'udp') {
          await probeStream(target, found.server, settings, result)
        } else {
          const port = ports.get(found.family) as UdpPort
          try {
            fillFromSeries(
              result,
              await bindingSeries(port.to(found.server), settings.count, settings.timeoutMs, options.signal),
            )
          } catch (error) {
            fail(result, error, 'stun-response')
          }
        }
        result.durationMs = Math.round(performance.now() - started)
      }),
    )
    // Mapping: the first UDP port (IPv4 when there is one) and what each destination saw from it.
    const family = ports.has(4) ? 4 : 6
    const port = ports.get(family)
    const udp = results.filter((r, i) => r.transport === 'udp' && servers[i]?.family === family)
    for (const result of udp)
      if (result.server) observations.push({via: result.url, destination: result.server, mapped: result.mapped})
    const withOther = udp.find((r) => r.outcome === 'ok' && r.otherAddress)
    if (port && withOther) observations.push(...(await otherAddressObservations(port, withOther, settings)))
    const first = udp.find((r) => r.server)?.server
    if (port && first) {
      const address = await localAddressTowards(first)
      if (address) local = {address, port: port.port}
      for (const result of udp) if (local) result.local = local
    }
  } finally {
    await Promise.all([...ports.values()].map((port) => port.close()))
  }
  if (options.signal?.aborted) throw new R58Error('E_ABORTED', 'probe stun: cancelled')
  const verdict = mappingVerdict(observations, local)
  const udpCount = results.filter((r) => r.transport === 'udp').length
  const checks = [...results.map((r) => bindingCheck(r, startedAt)), mappingCheck(verdict, udpCount, startedAt)]
  return {
    results,
    mapping: {...verdict, ...(local !== undefined && {local}), observations},
    checks,
    ok: isOk(checks),
    exitCode: exitCodeOf(checks),
  }
}
