/** Option 3, TURN on MediaMTX: does MediaMTX allocate on a TURN server, and does a relay-only guest get in. */
import type {IceServer} from '../ice/ice-url.js'
import {type Check, skippedCheck} from '../report/check.js'
import type {DiagnoseContext} from './diagnose-context.js'
import type {MediamtxView} from './mediamtx-view.js'
import type {LanAnswer} from './option-lan.js'
import {probeTurnFix, type RelayOnlyRun, relayOnlyEveryTransport, type TurnServers} from './turn-relay-only.js'

/** TURN servers in a list of ice servers (with their credentials). */
export function turnOnly(servers: readonly IceServer[]): IceServer[] {
  return servers
    .map((s) => ({...s, urls: (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => /^turns?:/i.test(u))}))
    .filter((s) => s.urls.length > 0)
}

function turnFix(ctx: DiagnoseContext): {fix: string} {
  return ctx.options.turn?.configureArgs
    ? ctx.configureFix(ctx.options.turn.configureArgs)
    : {
        fix: 'Add a TURN server to MediaMTX (webrtcICEServers2): r58 mediamtx configure --file FILE --turn URL --write, or --cloudflare-turn; give diagnose --turn-urls to get the exact command.',
      }
}

export async function checkTurnConfigured(ctx: DiagnoseContext, view: MediamtxView, lan: LanAnswer): Promise<Check> {
  const answer = lan.candidates
  if (answer.length === 0 && view.source === 'none') {
    const unread = view.detail ? `; ${view.detail}` : '; no API or config file to read'
    return skippedCheck('turn.configured', 'MediaMTX uses TURN itself', `${lan.noAnswer}${unread}`)
  }
  return ctx.track('turn.configured', 'MediaMTX uses TURN itself', async () => {
    const relayCandidates = answer.filter((c) => c.type === 'relay')
    if (relayCandidates.length > 0) {
      return {
        status: 'pass',
        evidence: `the answer offers relay candidates: ${relayCandidates.map((c) => c.label).join(', ')}`,
      }
    }
    const configured = view.serverTurn[0]
    if (configured) {
      // Observed, not guessed: TURN is configured and the answer carries no relay candidate.
      return {
        status: 'fail',
        evidence: `MediaMTX is configured with TURN ${view.serverTurn.map((s) => s.url).join(', ')} (from its ${view.source === 'api' ? 'API' : 'config file'}), but ${answer.length === 0 ? 'there is no answer to look at' : `its answer has no relay candidate: ${lan.advertised}`} — it got no allocation from that server`,
        fix: probeTurnFix(configured.url, configured.username, ctx.carry),
      }
    }
    const clientOnly =
      view.clientOnlyTurn.length > 0 ? ` (its TURN servers are clientOnly: ${view.clientOnlyTurn.join(', ')})` : ''
    if (answer.length === 0) {
      return {
        status: 'fail',
        evidence: `MediaMTX’s ${view.source === 'api' ? 'API' : 'config file'} lists no TURN server of its own${clientOnly} (its answer could not be seen: ${lan.noAnswer})`,
        ...turnFix(ctx),
      }
    }
    const outside = answer.filter((c) => c.scope === 'internet' && !c.documentation)
    return {
      status: 'fail',
      evidence:
        outside.length > 0
          ? `MediaMTX uses no TURN server of its own: no relay candidate, only ${lan.advertised}${clientOnly} — its public address is the forwarded-port option (see forward.*)`
          : `MediaMTX advertises only ${lan.hostOnly ? 'host candidates' : 'non-relay candidates'}: ${lan.advertised}${clientOnly} — a guest outside this network cannot reach them, even with TURN on the guest side`,
      ...turnFix(ctx),
    }
  })
}

/** The relay-only publish, and what it showed (the forwarded-port option reads it). */
export async function checkTurnRelayOnly(
  ctx: DiagnoseContext,
  view: MediamtxView,
  lan: LanAnswer,
): Promise<{check: Check; run: RelayOnlyRun}> {
  const id = 'turn.relay-only'
  const title = 'Relay-only publish (a remote guest behind NAT)'
  const answer = lan.candidates
  const turnServers: TurnServers | undefined = ctx.options.turn?.iceServers.length
    ? {servers: turnOnly(ctx.options.turn.iceServers), source: ctx.options.turn.source}
    : lan.report?.iceServers.urls.some((u) => /^turns?:/i.test(u))
      ? {servers: [], source: 'MediaMTX Link headers'}
      : undefined
  // A guest's TURN relay is out on the internet: it reaches MediaMTX's relay candidates and public addresses,
  // never its LAN, loopback or tailnet ones. With nothing it can reach, the outcome is known without waiting
  // out an ICE timeout; say so instead of trying.
  const reachable = answer.filter(
    (c) => c.type === 'relay' || (c.scope === 'internet' && !c.documentation) || c.scope === 'unknown',
  )
  const notRun: RelayOnlyRun = {ran: false, pair: null, connected: false, evidence: 'no TURN server to test with'}
  if (!turnServers) {
    const check = skippedCheck(
      id,
      title,
      'no TURN server to test with',
      'Give TURN servers with --turn-urls, --turn-username and --turn-credential-file, or a Cloudflare TURN key (--turn-key-id, --turn-key-token-file).',
    )
    return {check, run: notRun}
  }
  if (answer.length === 0)
    return {check: skippedCheck(id, title, lan.noAnswer), run: {...notRun, evidence: lan.noAnswer}}
  if (reachable.length === 0) {
    const why = `not tried: MediaMTX’s answer offers no candidate a guest’s TURN relay can reach (${lan.advertised}: LAN, loopback or tailnet addresses only; see turn.configured)`
    return {check: skippedCheck(id, title, why), run: {...notRun, evidence: why}}
  }
  let run = notRun
  const check = await ctx.track(id, title, async (budget) => {
    const done = await relayOnlyEveryTransport(ctx, turnServers, budget, {reachable, view})
    run = {ran: done.outcome.status !== 'skip', ...done.summary}
    return done.outcome
  })
  return {check, run}
}
