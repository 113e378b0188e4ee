/** The relay-only publish through each TURN transport (UDP, TCP, TLS), and what carried the media. */
import type {IceServer} from '../ice/ice-url.js'
import type {CheckFailure, CheckOutcome} from '../report/check.js'
import type {SelectedPair} from '../webrtc/selected-pair.js'
import {type ProbeCandidate, probeWhip, type WhipProbeReport} from '../whip/probe.js'
import type {DiagnoseContext} from './diagnose-context.js'
import {type CarrySetting, r58Command} from './fix-command.js'
import {describePair, fromProbe} from './from-probe.js'
import type {MediamtxView} from './mediamtx-view.js'

export interface RelayOnlyRun {
  ran: boolean
  pair: SelectedPair | null
  connected: boolean
  evidence: string
}

export interface TurnServers {
  servers: IceServer[]
  source: string
}

/** One relay-only publish per TURN transport (UDP, TCP, TLS), one after the other: each is its own path. */
export async function relayOnlyEveryTransport(
  ctx: DiagnoseContext,
  servers: TurnServers,
  budget: number,
  seen: {reachable: readonly ProbeCandidate[]; view: MediamtxView},
): Promise<{outcome: CheckOutcome | CheckFailure; summary: Omit<RelayOnlyRun, 'ran'>}> {
  const results = await publishEach(ctx, servers, budget)
  const transports = results.map(({url, report}) => {
    const failed = report.checks.find((c) => c.status === 'fail')
    return {
      url,
      connected: report.ok,
      relayProtocol: report.selectedPair?.local.relayProtocol ?? null,
      pair: report.selectedPair,
      ...(failed && {failed: `${failed.title}: ${failed.evidence}`}),
    }
  })
  const best = results.find((r) => r.report.ok) ?? results[0]
  const bestReport = best?.report as WhipProbeReport
  const outcome = fromProbe(bestReport, `through TURN (${servers.source})`, {role: 'remote'})
  const lines = transports.map(
    (t) =>
      `${t.url}: ${t.connected ? `connected via ${describePair(t.pair)}` : `no connection (${t.failed ?? 'no pair'})`}${fellBack(t.url, t.relayProtocol) ? ' — TURN/UDP failed from this host, werift fell back to TURN/TCP' : ''}`,
  )
  const remote = bestReport.selectedPair?.remote
  if (outcome.status === 'pass') {
    outcome.evidence = lines.join('; ')
    if (remote && remote.type !== 'relay') {
      // Observed, not assumed: ICE may succeed through MediaMTX's public address, not its relay.
      outcome.evidence += ` — through MediaMTX's ${remote.type} address ${remote.address}, not a relay of MediaMTX`
    }
    const udpBlocked = transports.some(
      (t) => fellBack(t.url, t.relayProtocol) || (!t.connected && transportOf(t.url) === 'udp'),
    )
    if (udpBlocked) {
      outcome.status = 'warn'
      outcome.fix =
        'UDP to the TURN server is blocked from here: give guests TURN over TCP or TLS (turn:HOST:PORT?transport=tcp, turns:HOST:5349) in MediaMTX’s clientOnly ICE servers.'
    }
  } else if (outcome.status === 'fail') {
    const failed = bestReport.checks.find((c) => c.status === 'fail')
    outcome.evidence = `${lines.join('; ')}; ${failed?.id === 'whip.ice' ? `201 and SDP fine, but ICE through TURN got no answer from ${seen.reachable.map((c) => c.label).join(', ')}` : outcome.evidence}`
    // TURN is already on MediaMTX: prescribing it again is no fix. Say what to test instead.
    const onMediamtx = seen.view.serverTurn[0]
    if (onMediamtx) outcome.fix = probeTurnFix(onMediamtx.url, onMediamtx.username, ctx.carry)
  }
  outcome.data = {...outcome.data, transports}
  return {
    outcome,
    summary: {pair: bestReport.selectedPair, connected: bestReport.ok, evidence: outcome.evidence},
  }
}

async function publishEach(
  ctx: DiagnoseContext,
  servers: TurnServers,
  budget: number,
): Promise<{url: string; report: WhipProbeReport}[]> {
  const byTransport = servers.servers.length > 0 ? oneUrlPerTransport(servers.servers) : [undefined]
  const results: {url: string; report: WhipProbeReport}[] = []
  for (const server of byTransport) {
    if (ctx.signal.aborted) break
    const report = await probeWhip({
      url: ctx.endpoint('turn'),
      token: ctx.mediamtx.token,
      durationMs: 300,
      timeoutMs: results.length === 0 ? budget : ctx.step(),
      // A TURN allocation that does not finish within a step is the observation; the next transport waits.
      gatherTimeoutMs: results.length === 0 ? budget : ctx.step(),
      relayOnly: true,
      ...(server && {iceServers: [server]}),
      ...(ctx.via && {via: ctx.via}),
      signal: ctx.signal,
    })
    results.push({url: server ? String(server.urls) : 'MediaMTX Link headers', report})
  }
  return results
}

function transportOf(url: string): 'udp' | 'tcp' | 'tls' {
  if (/^turns:/i.test(url)) return 'tls'
  return /transport=tcp/i.test(url) ? 'tcp' : 'udp'
}

/** werift retries a failed TURN/UDP allocation over TCP without saying so; the pair's relayProtocol tells. */
function fellBack(url: string, relayProtocol: string | null): boolean {
  return transportOf(url) === 'udp' && relayProtocol === 'tcp'
}

/** The first URL of each TURN transport, each with its server's credentials. */
function oneUrlPerTransport(servers: readonly IceServer[]): IceServer[] {
  const seen = new Set<string>()
  const out: IceServer[] = []
  for (const server of servers) {
    for (const url of Array.isArray(server.urls) ? server.urls : [server.urls]) {
      const transport = transportOf(url)
      if (seen.has(transport)) continue
      seen.add(transport)
      out.push({...server, urls: url})
    }
  }
  return out
}

/** `r58 probe turn URL --turn-username U`: the TURN server MediaMTX is configured with, tested on its own. */
export function probeTurnFix(url: string, username: string | undefined, carry: CarrySetting): string {
  return `Test the TURN server MediaMTX uses (with the password from its webrtcICEServers2 in R58_TURN_CREDENTIAL or --turn-credential-file): ${r58Command(['probe', 'turn', url, ...(username ? ['--turn-username', username] : carry('turn.username', '--turn-username'))])}`
}
