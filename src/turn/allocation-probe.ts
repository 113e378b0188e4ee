/**
 * One TURN URL on its own transport, step by step: DNS → TCP connect → TLS handshake → Allocate (401 →
 * realm/nonce → authenticated retry, 438 retried) → data path (CreatePermission for the echo socket's
 * server-reflexive address, packets through the relay and back) → Refresh lifetime 0. Every step has a
 * deadline; every socket is closed and the allocation freed on success, failure, timeout and abort.
 */

import {isIP} from 'node:net'
import type {UrlTarget} from '../ice/url-targets.js'
import {classifyAddress} from '../net/address-class.js'
import type {LookupFn} from '../net/dns-resolve.js'
import {resolveHost} from '../net/dns-resolve.js'
import {type Endpoint, formatEndpoint} from '../net/endpoint.js'
import {openLink, type StunLink, type TlsSettings} from '../stun/link.js'
import type {StunErrorCode} from '../stun/message.js'
import {asStepFailure, type ProbeStep, type ProbeTargetResult, StepFailure} from '../stun/outcome.js'
import {type RttSummary, summarizeRtts} from '../stun/rtt.js'
import {ECHO_PREFIX, EchoPinger} from './echo-pinger.js'
import {allocateRequest, createPermissionRequest, dataIndicationOf, refreshRequest, sendIndication} from './messages.js'
import {TurnAuth, type TurnCredential, TurnRequestMachine} from './request-machine.js'
import {runRequest} from './request-runner.js'

export type EchoOutcome = 'ok' | 'loss' | 'lost' | 'permission-denied' | 'error' | 'aborted'

export interface EchoResult {
  outcome: EchoOutcome
  message: string
  /** The echo socket's address as the TURN server sees it: the permitted peer. */
  peer?: Endpoint
  /** How the peer address was learnt: Binding request to the TURN server, or the allocation's mapped address. */
  peerSource?: 'binding' | 'allocation-mapped-address'
  sent: number
  received: number
  lossPercent: number
  rttMs?: RttSummary
  error?: StunErrorCode
}

export interface TurnTargetResult extends ProbeTargetResult {
  /** The TURN error code and reason phrase, when the server answered with one. */
  error?: StunErrorCode
  realm?: string
  software?: string
  relayedAddress?: Endpoint
  mappedAddress?: Endpoint
  lifetimeSeconds?: number
  /** Round trip of the authenticated Allocate. */
  rttMs?: number
  timings: {dnsMs?: number; connectMs?: number; allocateMs?: number; totalMs: number}
  echo?: EchoResult
  /** True when the server confirmed Refresh lifetime 0 (the allocation is gone). */
  freed: boolean
}

export interface AllocationProbeOptions {
  credential: TurnCredential
  timeoutMs: number
  /** Echo packets; 0 skips the data-path test. */
  packets: number
  tls?: TlsSettings | undefined
  signal?: AbortSignal | undefined
  software?: string
  lookup?: LookupFn | undefined
}

const ECHO_SPACING_MS = 5

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10
}

async function allocate(link: StunLink, auth: TurnAuth, options: AllocationProbeOptions, result: TurnTargetResult) {
  const machine = new TurnRequestMachine('allocate', auth, () => allocateRequest())
  let run: Awaited<ReturnType<typeof runRequest>>
  try {
    run = await runRequest(machine, link, {timeoutMs: options.timeoutMs, signal: options.signal, step: 'Allocate'})
  } catch (error) {
    throw asStepFailure(error, auth.realm === undefined ? 'stun-response' : 'allocate')
  }
  const {action} = run
  const view = action.view
  if (auth.realm !== undefined) result.realm = auth.realm
  if (view?.software !== undefined) result.software = view.software
  if (action.type === 'failure') {
    throw new StepFailure('allocate', action.outcome, action.message, {
      ...(action.hint !== undefined && {hint: action.hint}),
      ...(action.error !== undefined && {stunError: action.error}),
    })
  }
  result.rttMs = Math.round(run.rttMs * 10) / 10
  result.timings.allocateMs = Math.round(run.totalMs * 10) / 10
  if (action.view.relayed === undefined) {
    throw new StepFailure('allocate', 'error', 'the Allocate answer has no XOR-RELAYED-ADDRESS')
  }
  result.relayedAddress = action.view.relayed
  if (action.view.mapped !== undefined) result.mappedAddress = action.view.mapped
  if (action.view.lifetime !== undefined) result.lifetimeSeconds = action.view.lifetime
  return action.view.relayed
}

/** Echo responder: every echo payload relayed to the allocation goes straight back to its sender. */
function echoBack(link: StunLink): void {
  link.demux.other = ({message}) => {
    const indication = dataIndicationOf(message)
    if (indication && indication.data.subarray(0, ECHO_PREFIX.length).toString('latin1') === ECHO_PREFIX) {
      link.send(sendIndication(indication.peer, indication.data))
    }
  }
}

async function echo(
  link: StunLink,
  auth: TurnAuth,
  pinger: EchoPinger,
  reflexive: Promise<Endpoint | undefined>,
  relayed: Endpoint,
  mapped: Endpoint | undefined,
  options: AllocationProbeOptions,
): Promise<EchoResult> {
  const learnt = await reflexive
  const peer = learnt ?? mapped
  const base = {sent: 0, received: 0, lossPercent: 100}
  if (peer === undefined) {
    return {
      ...base,
      outcome: 'error',
      message: 'no address to permit: the Binding and the Allocate answers lack a mapped address',
    }
  }
  const peerSource = learnt ? ('binding' as const) : ('allocation-mapped-address' as const)
  if ((isIP(relayed.address) === 6 ? 6 : 4) !== pinger.family) {
    return {
      ...base,
      peer,
      peerSource,
      outcome: 'error',
      message: `the relayed address ${formatEndpoint(relayed)} is not of the family this host reached the server with (IPv${pinger.family}): echo not possible`,
    }
  }
  const machine = new TurnRequestMachine('permission', auth, () => createPermissionRequest(peer))
  let permission: Awaited<ReturnType<typeof runRequest>>
  try {
    permission = await runRequest(machine, link, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      step: 'CreatePermission',
    })
  } catch (error) {
    const failure = asStepFailure(error, 'permission')
    return {
      ...base,
      peer,
      peerSource,
      outcome: failure.outcome === 'aborted' ? 'aborted' : 'error',
      message: failure.text,
    }
  }
  if (permission.action.type === 'failure') {
    const {action} = permission
    return {
      ...base,
      peer,
      peerSource,
      outcome: action.error?.code === 403 ? 'permission-denied' : 'error',
      message:
        action.error?.code === 403
          ? `the server refused a permission for ${formatEndpoint(peer)} (${classifyAddress(peer.address).category} address, ${action.error.code} ${action.error.reason})`
          : action.message,
      ...(action.error !== undefined && {error: action.error}),
    }
  }
  echoBack(link)
  const ping = await pinger.ping(relayed, options.packets, {
    spacingMs: ECHO_SPACING_MS,
    waitMs: options.timeoutMs,
    ...(options.signal !== undefined && {signal: options.signal}),
  })
  const lossPercent = ping.sent === 0 ? 100 : Math.round(((ping.sent - ping.received) / ping.sent) * 1000) / 10
  const rtt = summarizeRtts(ping.rttsMs)
  const outcome: EchoOutcome = options.signal?.aborted
    ? 'aborted'
    : ping.received === ping.sent
      ? 'ok'
      : ping.received === 0
        ? 'lost'
        : 'loss'
  const message =
    outcome === 'ok'
      ? `${ping.received}/${ping.sent} packets came back through the relay`
      : outcome === 'lost'
        ? `none of ${ping.sent} packets came back through the relay ${formatEndpoint(relayed)}`
        : `${ping.received}/${ping.sent} packets came back through the relay (${lossPercent}% lost)`
  return {
    outcome,
    message,
    peer,
    peerSource,
    sent: ping.sent,
    received: ping.received,
    lossPercent,
    ...(rtt !== undefined && {rttMs: rtt}),
  }
}

/** Refresh lifetime 0, bounded and never cancelled: it runs on the way out, Ctrl-C included. */
async function free(link: StunLink, auth: TurnAuth, timeoutMs: number): Promise<boolean> {
  if (link.demux.failed) return false
  link.demux.other = undefined
  const machine = new TurnRequestMachine('refresh', auth, () => refreshRequest(0))
  try {
    const run = await runRequest(machine, link, {timeoutMs: Math.min(timeoutMs, 1500), step: 'Refresh'})
    return run.action.type === 'success'
  } catch {
    return false
  }
}

export async function probeAllocation(target: UrlTarget, options: AllocationProbeOptions): Promise<TurnTargetResult> {
  const started = performance.now()
  const result: TurnTargetResult = {
    url: target.url,
    id: target.suffix,
    transport: target.transport,
    host: target.host,
    port: target.port,
    outcome: 'ok',
    message: '',
    timings: {totalMs: 0},
    freed: false,
  }
  const auth = new TurnAuth(options.credential, options.software)
  let link: StunLink | undefined
  let pinger: EchoPinger | undefined
  let reflexive: Promise<Endpoint | undefined> = Promise.resolve(undefined)
  let step: ProbeStep = 'dns'
  /** True once an allocation exists, or may exist (an authenticated Allocate went unanswered). */
  let mayHoldAllocation = false
  try {
    const resolved = await resolveHost(target.host, options.timeoutMs, options.signal, options.lookup)
    result.timings.dnsMs = elapsed(started)
    const server = {address: resolved.address, port: target.port}
    result.server = server
    step = target.transport === 'udp' ? 'stun-response' : 'tcp-connect'
    const connectStarted = performance.now()
    link = await openLink({
      transport: target.transport,
      remote: server,
      servername: target.host,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      ...(options.tls !== undefined && {tls: options.tls}),
    })
    if (target.transport !== 'udp') result.timings.connectMs = elapsed(connectStarted)
    result.local = link.local
    if (link.tls) result.tls = link.tls
    // The echo socket learns its reflexive address while the allocation is made.
    if (options.packets > 0) {
      pinger = await EchoPinger.open(resolved.family)
      reflexive = pinger.reflexiveAddress(server, Math.min(options.timeoutMs, 1000), options.signal)
    }
    step = 'allocate'
    const relayed = await allocate(link, auth, options, result)
    mayHoldAllocation = true
    result.message = `relayed address ${formatEndpoint(relayed)}`
    if (pinger) {
      step = 'echo'
      result.echo = await echo(link, auth, pinger, reflexive, relayed, result.mappedAddress, options)
    }
  } catch (error) {
    const failure = asStepFailure(error, step)
    result.outcome = failure.outcome
    result.step = failure.step
    result.message = failure.text
    if (failure.hint !== undefined) result.hint = failure.hint
    if (failure.stunError !== undefined) result.error = failure.stunError
    // An authenticated Allocate without an answer (timeout, Ctrl-C) may still have made an allocation.
    if (failure.step === 'allocate' && (failure.outcome === 'timeout' || failure.outcome === 'aborted') && auth.ready) {
      mayHoldAllocation = true
    }
  } finally {
    if (link && mayHoldAllocation) result.freed = await free(link, auth, options.timeoutMs)
    await Promise.all([link?.close(), pinger?.close()])
    await reflexive // settles at once once the echo socket is closed
    result.timings.totalMs = elapsed(started)
  }
  return result
}
