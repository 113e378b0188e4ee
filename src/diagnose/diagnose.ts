/**
 * `r58 diagnose`: which way can a guest reach this MediaMTX — LAN, Tailscale, TURN on MediaMTX, a public
 * address with a forwarded UDP port, or the Calls relay — and what is the smallest fix for the rest. Checks run concurrently, each bounded, the whole bounded
 * by `timeoutMs`; the report says what was observed (selected candidate pairs, advertised candidates), not
 * what is assumed. A check that does not apply is `skip`, never a failure; one stopped by Ctrl-C is `cancelled`,
 * one that ran out of its share of the bound is `unknown`: neither decides an option.
 */
import {runCallsCheck} from '../calls/check.js'
import {EXIT, type ExitCode, R58Error} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import {createPeer, localDescription, waitForConnected} from '../media/peer.js'
import {createSyntheticSource} from '../media/synthetic.js'
import {MediamtxApi} from '../mediamtx/api-client.js'
import {readMediamtxConfig} from '../mediamtx/config-read.js'
import {findTailscaleAddress} from '../mediamtx/tailscale.js'
import {type AddressScope, isLoopbackAddress} from '../net/address-class.js'
import {httpRequest} from '../net/http.js'
import {MEDIA_ROUTE, relayModeOf} from '../relay/mode.js'
import {
  type Check,
  type CheckFailure,
  type CheckOutcome,
  OUT_OF_TIME,
  runCheck,
  skippedCheck,
  unconcluded,
} from '../report/check.js'
import {probeStun} from '../stun/probe-stun.js'
import type {SelectedPair} from '../webrtc/selected-pair.js'
import {whipDelete, whipPost} from '../whip/client.js'
import {whipEndpointUrl} from '../whip/endpoint.js'
import {probeWhip, type WhipProbeReport} from '../whip/probe.js'
import {type CarrySetting, inheritAll, r58Command} from './fix-command.js'
import {advertisedOutcome, forwardedOutcome, type PublicAddress, publicAddressOutcome} from './forward.js'
import {describePair, fromProbe, tailnetSelfTest} from './from-probe.js'
import {checkHost} from './host.js'
import {diagnoseExitCode, guestOptions, recommend} from './options.js'
import type {DiagnoseOptions, DiagnoseReport} from './types.js'

/** The tailnet's MTU (tailscale net/tstun): RTP payloads must stay under it. */
const TAILNET_MTU = 1280

/** TURN servers in a list of ice servers (with their credentials). */
function turnOnly(servers: readonly IceServer[]): IceServer[] {
  return servers
    .map((s) => ({...s, urls: (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => /^turns?:/i.test(u))}))
    .filter((s) => s.urls.length > 0)
}

interface MediamtxView {
  source: 'api' | 'file' | 'none'
  /** Non-clientOnly TURN servers MediaMTX allocates on itself (with the user name it allocates with). */
  serverTurn: {url: string; username: string | undefined}[]
  clientOnlyTurn: string[]
  detail: string
}

async function readMediamtxView(
  options: DiagnoseOptions,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<MediamtxView> {
  const {apiUrl, apiUser, apiPassword, configPath} = options.mediamtx
  let servers: {url: string; clientOnly: boolean; username?: string}[] | undefined
  let source: MediamtxView['source'] = 'none'
  let detail = ''
  if (apiUrl) {
    try {
      const config = await new MediamtxApi({
        baseUrl: apiUrl,
        user: apiUser,
        password: apiPassword,
        timeoutMs,
        signal,
      }).globalConfig()
      const list = Array.isArray(config['webrtcICEServers2'])
        ? (config['webrtcICEServers2'] as Record<string, unknown>[])
        : []
      servers = list.map((s) => ({
        url: String(s['url'] ?? ''),
        clientOnly: s['clientOnly'] === true,
        ...(typeof s['username'] === 'string' && s['username'] !== '' && {username: s['username']}),
      }))
      source = 'api'
    } catch (error) {
      detail = `API unavailable (${error instanceof R58Error ? error.text : String(error)})`
    }
  }
  if (!servers && configPath) {
    try {
      const {readConfigSnapshot} = await import('../mediamtx/safe-write.js')
      const config = readMediamtxConfig((await readConfigSnapshot(configPath)).text, configPath)
      servers = config.webrtc.iceServers.map((s) => ({
        url: s.url,
        clientOnly: s.clientOnly,
        ...(s.username !== '' && {username: s.username}),
      }))
      source = 'file'
    } catch (error) {
      detail = `${detail ? `${detail}; ` : ''}config file unreadable (${error instanceof R58Error ? error.text : String(error)})`
    }
  }
  const turn = (servers ?? []).filter((s) => /^turns?:/i.test(s.url))
  return {
    source,
    serverTurn: turn.filter((s) => !s.clientOnly).map((s) => ({url: s.url, username: s.username})),
    clientOnlyTurn: turn.filter((s) => s.clientOnly).map((s) => s.url),
    detail,
  }
}

export async function diagnose(options: DiagnoseOptions): Promise<DiagnoseReport> {
  const total = options.timeoutMs ?? 10_000
  const deadline = AbortSignal.timeout(total)
  const user = options.signal
  const signal = user ? AbortSignal.any([user, deadline]) : deadline
  const started = Date.now()
  const maxStep = options.stepTimeoutMs ?? 4000
  /** When Ctrl-C stopped the run: checks made after it concluded nothing. */
  const stoppedAt = {cancelled: user?.aborted ? started : undefined}
  user?.addEventListener('abort', () => (stoppedAt.cancelled ??= Date.now()), {once: true})
  /** Per-step deadline: what is left of the whole, at most stepTimeoutMs. */
  const step = () => Math.max(500, Math.min(maxStep, total - (Date.now() - started) - 250))
  const {mediamtx} = options
  const via: readonly AddressScope[] | undefined = options.via
  const carry = options.carry ?? inheritAll
  const endpoint = (suffix: string, base = mediamtx.whipUrl) => whipEndpointUrl(base, `${mediamtx.path}-${suffix}`)
  const apiForProbe = mediamtx.apiUrl
    ? {baseUrl: mediamtx.apiUrl, user: mediamtx.apiUser, password: mediamtx.apiPassword}
    : undefined
  /**
   * A check that ends after Ctrl-C concluded nothing: `cancelled`. One that failed after the whole bound
   * ran out, or that used up a share of it smaller than a step (a loaded machine), is `unknown`.
   */
  const conclude = (check: Check, budgetMs: number): Check => {
    if (check.status === 'pass') return check
    if (user?.aborted) return unconcluded(check, 'cancelled', 'cancelled (Ctrl-C) before it concluded')
    if (check.status === 'skip') return check
    const squeezed = budgetMs < maxStep && check.durationMs >= budgetMs - 50
    if (deadline.aborted || (check.status === 'fail' && squeezed)) {
      return unconcluded(check, 'unknown', `${OUT_OF_TIME}: ${budgetMs} ms were left of ${total} ms`)
    }
    return check
  }
  const track = async (
    id: string,
    title: string,
    body: (budgetMs: number) => Promise<CheckOutcome | CheckFailure>,
  ): Promise<Check> => {
    const budget = step()
    options.onProgress?.({id, title, state: 'start'})
    const check = conclude(await runCheck(id, title, () => body(budget)), budget)
    options.onProgress?.({id, title, state: 'done'})
    return check
  }

  // Phase 1, concurrently: the LAN probe (whose answer later checks analyse), Tailscale, MediaMTX's own
  // configuration, the public address, the Calls credentials, the relay's health, the host.
  let lanReport: WhipProbeReport | undefined
  const lan = track('lan.whip', 'WHIP publish on the LAN', async (budget) => {
    lanReport = await probeWhip({
      url: endpoint('lan'),
      token: mediamtx.token,
      durationMs: 300,
      timeoutMs: budget,
      via: via ?? ['this-host', 'lan'],
      iceServers: [],
      signal,
      ...(apiForProbe && {mediamtxApi: apiForProbe}),
    })
    const outcome = fromProbe(lanReport, `published to ${mediamtx.whipUrl}`, {role: 'lan'})
    if (outcome.status === 'fail' && unreachableStep(outcome)) {
      outcome.evidence = `MediaMTX is not reachable at ${mediamtx.whipUrl}: ${outcome.evidence}`
      outcome.fix =
        'Start MediaMTX on the box, or give its WHIP address with --mediamtx-url (and its API with --mediamtx-api-url).'
    }
    return outcome
  })
  let tailnetAddress: string | undefined
  const tailscaleUp = track('tailscale.up', 'This box is on a tailnet', async () => {
    try {
      const found = await findTailscaleAddress({timeoutMs: 1500, ...options.tailscale})
      tailnetAddress = found.address
      return {
        status: 'pass',
        evidence: `${found.address} (from ${found.source === 'interface' ? found.interface : 'tailscale ip -4'})`,
      }
    } catch (error) {
      return {
        status: 'skip',
        evidence: `not on a tailnet: ${error instanceof R58Error ? error.text : String(error)}`,
        fix: 'Install Tailscale on the box and run `tailscale up`, if your guests are on your tailnet.',
      }
    }
  })
  const view = readMediamtxView(options, step(), signal)
  const stunUrls = options.stun?.urls ?? turnOnly(options.turn?.iceServers ?? []).flatMap((s) => s.urls as string[])
  let publicAddress: PublicAddress | undefined
  const publicCheck =
    stunUrls.length === 0
      ? Promise.resolve(
          skippedCheck(
            'forward.public-address',
            'Public address of this box (STUN)',
            'no STUN or TURN server to learn the public address from',
            'Give a STUN server with --stun-urls (or TURN servers with --turn-urls).',
          ),
        )
      : track('forward.public-address', 'Public address of this box (STUN)', async (budget) => {
          const stun = await probeStun({urls: stunUrls.slice(0, 3), count: 2, timeoutMs: budget, signal})
          const {outcome, found} = publicAddressOutcome(stun, stunUrls)
          publicAddress = found
          return outcome
        })
  const callsCheck = options.calls
    ? track('calls.credentials', 'Calls app id and secret', async (budget) => {
        const calls = options.calls as NonNullable<DiagnoseOptions['calls']>
        const report = await runCallsCheck({
          appId: calls.appId,
          appSecret: calls.appSecret,
          ...(calls.apiBase && {apiBase: calls.apiBase}),
          timeoutMs: budget,
          packets: 10,
          signal,
        })
        if (report.ok) return {status: 'pass', evidence: `session, push, pull and media work at ${report.apiBase}`}
        const failed = report.checks.find((c) => c.status === 'fail')
        return {
          status: 'fail',
          ...(failed?.failure && {failure: failed.failure}),
          evidence: failed ? `${failed.title}: ${failed.evidence}` : 'calls check failed',
          ...(failed?.fix && {fix: failed.fix}),
        }
      })
    : Promise.resolve(
        skippedCheck(
          'calls.credentials',
          'Calls app id and secret',
          'no Calls app configured',
          'Create a Calls app in the Cloudflare dashboard, then set --calls-app-id and --calls-app-secret-file (or R58_CALLS_APP_ID / R58_CALLS_APP_SECRET).',
        ),
      )
  const relayUrl = options.relay?.url
  /** `r58 relay start` runs only with a Calls app and a token: without them, say what to set up first. */
  const relayStartFix = (listen?: string) => {
    if (!options.calls) {
      return 'The relay needs a Calls app first (see calls.credentials); then start it with r58 relay start.'
    }
    if (!options.relay?.token) {
      return 'The relay needs a token for its guests: start it with r58 relay start --relay-token-file FILE (or R58_RELAY_TOKEN).'
    }
    return r58Command([
      'relay',
      'start',
      ...(listen ? ['--listen', listen] : []),
      ...carry('calls.appId', '--calls-app-id'),
      ...carry('calls.appSecret', '--calls-app-secret'),
      ...carry('calls.apiBase', '--calls-api-base'),
      ...carry('mediamtx.url', '--mediamtx'),
      ...carry('relay.token', '--relay-token'),
    ])
  }
  const relayHealth = relayUrl
    ? track('calls.relay.health', 'Relay running', async (budget) => {
        // Health is an operator endpoint: asked on the operator listener, or on the guest listener only when
        // no operator URL is known (a relay started with --public-metrics serves it there too).
        const {adminEndpoint} = await import('../relay/admin-client.js')
        const endpoint = adminEndpoint(options.relay?.adminUrl ?? relayUrl)
        try {
          const response = await httpRequest(`${endpoint.base}/healthz`, {
            timeoutMs: budget,
            signal,
            step: 'relay health',
            ...(endpoint.dispatcher && {dispatcher: endpoint.dispatcher}),
          })
          if (response.status !== 200) {
            return {
              status: 'fail',
              evidence: `${endpoint.shown}/healthz answered HTTP ${response.status}`,
              fix: relayStartFix(),
            }
          }
          return {status: 'pass', evidence: `${relayUrl} is healthy (asked ${endpoint.shown}/healthz)`}
        } finally {
          await endpoint.close()
        }
      }).then((check) =>
        check.status === 'fail' && check.failure === 'unreachable'
          ? {
              ...check,
              evidence: `no relay at ${relayUrl} (${check.evidence})`,
              fix: relayStartFix(new URL(relayUrl).host),
            }
          : check,
      )
    : Promise.resolve(skippedCheck('calls.relay.health', 'Relay running', 'no relay URL configured', relayStartFix()))
  const host = checkHost(options.host)

  const relayCheck = relayHealth.then((health) => {
    if (health.status !== 'pass' || !relayUrl) {
      return skippedCheck(
        'calls.relay.e2e',
        'A guest through the relay into MediaMTX',
        health.status === 'skip'
          ? 'no relay configured'
          : `not run: the relay is not running (calls.relay.health: ${health.status})`,
      )
    }
    if (!options.relay?.token) {
      return skippedCheck(
        'calls.relay.e2e',
        'A guest through the relay into MediaMTX',
        'no relay token to publish with',
        'Set --relay-token-file or R58_RELAY_TOKEN (a token valid for every path).',
      )
    }
    return track('calls.relay.e2e', 'A guest through the relay into MediaMTX', (budget) =>
      relayEndToEnd(
        {guestUrl: relayUrl, adminUrl: options.relay?.adminUrl ?? relayUrl},
        options.relay?.token as string,
        `${mediamtx.path}-relay`,
        mediamtx,
        options.calls?.apiBase,
        budget,
        signal,
      ),
    )
  })

  // The Calls checks finish before the relay-only TURN probe starts: run at the same time on one small box,
  // their werift peers were seen to starve each other's ICE (see the closing note of issue 8).
  const [lanCheck, tailscaleCheck] = await Promise.all([lan, tailscaleUp, callsCheck, relayCheck, publicCheck])
  const answer = lanReport?.candidates ?? []
  const mediamtxView = await view
  const mediamtxDown = lanCheck.status === 'fail' && unreachableStep(lanCheck)
  const noAnswer = mediamtxDown
    ? `not checked: MediaMTX is not reachable at ${mediamtx.whipUrl} (see lan.whip)`
    : `no WHIP answer to analyse (lan.whip: ${lanCheck.status})`

  // Phase 2: the checks that build on the LAN answer, the configuration and the relay's health.
  const tailscaleAdvertised = (async (): Promise<Check> => {
    if (!tailnetAddress)
      return skippedCheck('tailscale.advertised', 'MediaMTX advertises the tailnet address', 'not on a tailnet')
    if (answer.length === 0)
      return skippedCheck('tailscale.advertised', 'MediaMTX advertises the tailnet address', noAnswer)
    const address = tailnetAddress
    return track('tailscale.advertised', 'MediaMTX advertises the tailnet address', async () =>
      answer.some((c) => c.address === address)
        ? {status: 'pass', evidence: `the answer lists ${address}`}
        : {
            status: 'fail',
            evidence: `the answer lists ${[...new Set(answer.map((c) => c.label))].join(', ')} but not ${address}`,
            ...configureFix(['--tailscale']),
          },
    )
  })()
  const tailscaleWhip = tailscaleAdvertised.then((advertised) => {
    const title = 'Local self-test: WHIP publish to this box’s tailnet address'
    if (advertised.status !== 'pass' || !tailnetAddress) {
      return skippedCheck('tailscale.whip', title, 'MediaMTX does not advertise the tailnet address')
    }
    const base = new URL(mediamtx.whipUrl)
    base.hostname = tailnetAddress
    const url = endpoint('tailnet', base.toString())
    return track('tailscale.whip', title, async (budget) => {
      const report = await probeWhip({
        url,
        token: mediamtx.token,
        durationMs: 300,
        timeoutMs: budget,
        via: ['tailnet'],
        iceServers: [],
        signal,
      })
      return tailnetSelfTest(
        fromProbe(report, `published from this box to its own tailnet address`, {role: 'lan'}),
        url,
        TAILNET_MTU,
      )
    })
  })

  const hostOnly = answer.length > 0 && answer.every((c) => c.type === 'host')
  const advertised = [...new Set(answer.map((c) => `${c.label} (${c.scope})`))].join(', ')
  function configureFix(change: string[]): {fix: string} {
    if (mediamtx.configPath)
      return {fix: r58Command(['mediamtx', 'configure', '--file', mediamtx.configPath, ...change, '--write'])}
    return {
      fix: `Give diagnose the MediaMTX config file (--file) for the exact command; the change: r58 mediamtx configure ${change.join(' ')} --write`,
    }
  }
  const turnFix = options.turn?.configureArgs
    ? configureFix(options.turn.configureArgs)
    : {
        fix: 'Add a TURN server to MediaMTX (webrtcICEServers2): r58 mediamtx configure --file FILE --turn URL --write, or --cloudflare-turn; give diagnose --turn-urls to get the exact command.',
      }
  const turnConfigured = (async (): Promise<Check> => {
    if (answer.length === 0 && mediamtxView.source === 'none') {
      const unread = mediamtxView.detail ? `; ${mediamtxView.detail}` : '; no API or config file to read'
      return skippedCheck('turn.configured', 'MediaMTX uses TURN itself', `${noAnswer}${unread}`)
    }
    return track('turn.configured', 'MediaMTX uses TURN itself', async () => {
      const relayCandidates = answer.filter((c) => c.type === 'relay')
      if (relayCandidates.length > 0) {
        return {
          status: 'pass',
          evidence: `the answer offers relay candidates: ${relayCandidates.map((c) => c.label).join(', ')}`,
        }
      }
      const configured = mediamtxView.serverTurn[0]
      if (configured) {
        // Observed, not guessed: TURN is configured and the answer carries no relay candidate.
        return {
          status: 'fail',
          evidence: `MediaMTX is configured with TURN ${mediamtxView.serverTurn.map((s) => s.url).join(', ')} (from its ${mediamtxView.source === 'api' ? 'API' : 'config file'}), but ${answer.length === 0 ? 'there is no answer to look at' : `its answer has no relay candidate: ${advertised}`} — it got no allocation from that server`,
          fix: probeTurnFix(configured.url, configured.username, carry),
        }
      }
      const clientOnly =
        mediamtxView.clientOnlyTurn.length > 0
          ? ` (its TURN servers are clientOnly: ${mediamtxView.clientOnlyTurn.join(', ')})`
          : ''
      if (answer.length === 0) {
        return {
          status: 'fail',
          evidence: `MediaMTX’s ${mediamtxView.source === 'api' ? 'API' : 'config file'} lists no TURN server of its own${clientOnly} (its answer could not be seen: ${noAnswer})`,
          ...turnFix,
        }
      }
      const outside = answer.filter((c) => c.scope === 'internet' && !c.documentation)
      return {
        status: 'fail',
        evidence:
          outside.length > 0
            ? `MediaMTX uses no TURN server of its own: no relay candidate, only ${advertised}${clientOnly} — its public address is the forwarded-port option (see forward.*)`
            : `MediaMTX advertises only ${hostOnly ? 'host candidates' : 'non-relay candidates'}: ${advertised}${clientOnly} — a guest outside this network cannot reach them, even with TURN on the guest side`,
        ...turnFix,
      }
    })
  })()
  const turnServers = options.turn?.iceServers.length
    ? {servers: turnOnly(options.turn.iceServers), source: options.turn.source}
    : lanReport?.iceServers.urls.some((u) => /^turns?:/i.test(u))
      ? {servers: [], source: 'MediaMTX Link headers'}
      : undefined
  // A guest's TURN relay is out on the internet: it reaches MediaMTX's relay candidates and public addresses,
  // never its LAN, loopback or tailnet ones. With nothing it can reach, the outcome is known without waiting
  // out an ICE timeout; say so instead of trying.
  const reachable = answer.filter(
    (c) => c.type === 'relay' || (c.scope === 'internet' && !c.documentation) || c.scope === 'unknown',
  )
  let relayOnlyRun: RelayOnlyRun = {ran: false, pair: null, connected: false, evidence: 'no TURN server to test with'}
  const turnRelayOnly = (async (): Promise<Check> => {
    const id = 'turn.relay-only'
    const title = 'Relay-only publish (a remote guest behind NAT)'
    if (!turnServers) {
      return skippedCheck(
        id,
        title,
        'no TURN server to test with',
        'Give TURN servers with --turn-urls, --turn-username and --turn-credential-file, or a Cloudflare TURN key (--turn-key-id, --turn-key-token-file).',
      )
    }
    if (answer.length === 0) {
      relayOnlyRun = {...relayOnlyRun, evidence: noAnswer}
      return skippedCheck(id, title, noAnswer)
    }
    if (reachable.length === 0) {
      const why = `not tried: MediaMTX’s answer offers no candidate a guest’s TURN relay can reach (${advertised}: LAN, loopback or tailnet addresses only; see turn.configured)`
      relayOnlyRun = {...relayOnlyRun, evidence: why}
      return skippedCheck(id, title, why)
    }
    return track(id, title, async (budget) => {
      const run = await relayOnlyEveryTransport(turnServers, budget)
      relayOnlyRun = {ran: run.outcome.status !== 'skip', ...run.summary}
      return run.outcome
    })
  })()

  /** One relay-only publish per TURN transport (UDP, TCP, TLS), one after the other: each is its own path. */
  async function relayOnlyEveryTransport(
    servers: {servers: IceServer[]; source: string},
    budget: number,
  ): Promise<{outcome: CheckOutcome | CheckFailure; summary: Omit<RelayOnlyRun, 'ran'>}> {
    const byTransport = servers.servers.length > 0 ? oneUrlPerTransport(servers.servers) : [undefined]
    const results: {url: string; report: WhipProbeReport}[] = []
    for (const server of byTransport) {
      if (signal.aborted) break
      const report = await probeWhip({
        url: endpoint('turn'),
        token: mediamtx.token,
        durationMs: 300,
        timeoutMs: results.length === 0 ? budget : step(),
        // A TURN allocation that does not finish within a step is the observation; the next transport waits.
        gatherTimeoutMs: results.length === 0 ? budget : step(),
        relayOnly: true,
        ...(server && {iceServers: [server]}),
        ...(via && {via}),
        signal,
      })
      results.push({url: server ? String(server.urls) : 'MediaMTX Link headers', report})
    }
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
      outcome.evidence = `${lines.join('; ')}; ${failed?.id === 'whip.ice' ? `201 and SDP fine, but ICE through TURN got no answer from ${reachable.map((c) => c.label).join(', ')}` : outcome.evidence}`
      // TURN is already on MediaMTX: prescribing it again is no fix. Say what to test instead.
      if (mediamtxView.serverTurn[0]) {
        outcome.fix = probeTurnFix(mediamtxView.serverTurn[0].url, mediamtxView.serverTurn[0].username, carry)
      }
    }
    outcome.data = {...outcome.data, transports}
    return {
      outcome,
      summary: {pair: bestReport.selectedPair, connected: bestReport.ok, evidence: outcome.evidence},
    }
  }

  await Promise.all([tailscaleAdvertised, tailscaleWhip, turnConfigured, turnRelayOnly])
  const forwardAdvertised = track('forward.advertised', 'MediaMTX advertises the public address', async () =>
    advertisedOutcome(publicAddress, answer, (address) => configureFix(['--add-host', address]).fix),
  )
  const forwardAdvertisedCheck = await forwardAdvertised
  const forwardReached = await track(
    'forward.relay-only',
    'A guest outside the NAT reaches the forwarded port',
    async () => forwardedOutcome(publicAddress, forwardAdvertisedCheck.status === 'pass', relayOnlyRun),
  )

  /** Checks made after Ctrl-C (skips that depend on a cancelled one) concluded nothing either. */
  const finish = (check: Check): Check =>
    stoppedAt.cancelled !== undefined &&
    check.status !== 'pass' &&
    check.status !== 'cancelled' &&
    Date.parse(check.startedAt) >= stoppedAt.cancelled
      ? unconcluded(check, 'cancelled', 'cancelled (Ctrl-C) before it concluded')
      : check
  const checks = (
    await Promise.all([
      lanCheck,
      tailscaleCheck,
      tailscaleAdvertised,
      tailscaleWhip,
      turnConfigured,
      turnRelayOnly,
      publicCheck,
      forwardAdvertisedCheck,
      forwardReached,
      callsCheck,
      relayHealth,
      relayCheck,
      host,
    ])
  )
    .flat()
    .map(finish)
  const guestOptionList = guestOptions(checks)
  const cancelled = user?.aborted === true
  const exitCode: ExitCode = cancelled ? EXIT.interrupted : diagnoseExitCode(guestOptionList, options.require)
  return {
    target: {whipUrl: mediamtx.whipUrl, apiUrl: mediamtx.apiUrl ?? null, path: mediamtx.path},
    checks,
    options: guestOptionList,
    recommendation: recommend(guestOptionList, {
      cancelled,
      ...(mediamtxDown && {mediamtxUnreachable: `MediaMTX is not reachable at ${mediamtx.whipUrl}`}),
    }),
    cancelled,
    ok: exitCode === 0,
    exitCode,
  }
}

interface RelayOnlyRun {
  ran: boolean
  pair: SelectedPair | null
  connected: boolean
  evidence: string
}

/** The lan.whip failure that means MediaMTX itself did not answer over HTTP. */
function unreachableStep(check: Pick<Check, 'failure' | 'data'>): boolean {
  const step = (check.data as {failedStep?: string} | undefined)?.failedStep
  return check.failure === 'unreachable' && (step === 'whip.options' || step === 'whip.post')
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

/** `r58 probe turn URL --username U`: the TURN server MediaMTX is configured with, tested on its own. */
function probeTurnFix(url: string, username: string | undefined, carry: CarrySetting): string {
  return `Test the TURN server MediaMTX uses (with the password from its webrtcICEServers2 in R58_TURN_CREDENTIAL or --credential-file): ${r58Command(['probe', 'turn', url, ...(username ? ['--username', username] : carry('turn.username', '--username'))])}`
}

/**
 * A synthetic guest publishes through the relay's ingress (as a browser would), and the media must show up in
 * MediaMTX: the path becomes ready with growing inbound bytes (API), or the relay reports the session live.
 */
async function relayEndToEnd(
  relay: {guestUrl: string; adminUrl: string},
  token: string,
  path: string,
  mediamtx: DiagnoseOptions['mediamtx'],
  callsApiBase: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<CheckOutcome | CheckFailure> {
  const relayUrl = relay.guestUrl
  // The guest's media goes to Calls, not to the relay: a relay on this box's loopback with Calls elsewhere
  // (the usual box) needs a peer on the real interfaces. An ICE-lite SFU answers from wherever the checks come
  // from, so no STUN server is needed for that.
  const relayLocal = isLoopbackAddress(new URL(relayUrl).hostname)
  const callsLocal = callsApiBase === undefined || isLoopbackAddress(new URL(callsApiBase).hostname)
  const pc = createPeer(
    relayLocal && callsLocal
      ? {hostAddresses: ['127.0.0.1']}
      : relayLocal
        ? {}
        : {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]},
  )
  const video = createSyntheticSource({codec: 'vp8'})
  const audio = createSyntheticSource({codec: 'opus'})
  video.attach(pc.addTransceiver(video.track, {direction: 'sendonly'}).sender)
  audio.attach(pc.addTransceiver(audio.track, {direction: 'sendonly'}).sender)
  let session: Awaited<ReturnType<typeof whipPost>> | undefined
  try {
    await pc.setLocalDescription(await pc.createOffer())
    session = await whipPost(`${relayUrl.replace(/\/+$/, '')}/whip/${path}`, localDescription(pc).sdp, {
      token,
      timeoutMs,
      signal,
    })
    await pc.setRemoteDescription({type: 'answer', sdp: session.answer})
    await waitForConnected(pc, timeoutMs, 'guest → Calls connection', signal)
    const api = mediamtx.apiUrl
      ? new MediamtxApi({
          baseUrl: mediamtx.apiUrl,
          user: mediamtx.apiUser,
          password: mediamtx.apiPassword,
          timeoutMs,
          signal,
        })
      : undefined
    const until = Date.now() + timeoutMs
    let firstBytes: number | undefined
    while (Date.now() < until) {
      if (api) {
        const state = await api.path(path).catch(() => null)
        if (state?.ready) {
          firstBytes ??= state.inboundBytes
          if (state.inboundBytes > firstBytes) {
            // issue 14: which relay mode carried the media (and so which path it took).
            const mode = await relayModeOf(relay.adminUrl, {timeoutMs, signal})
            return {
              status: 'pass',
              evidence: `MediaMTX path ${path} is ready with ${state.tracks.join('+')} and growing bytes${mode ? `; relay in ${mode} mode: ${MEDIA_ROUTE[mode]}` : ''}`,
            }
          }
        }
      } else {
        // The session list is an operator endpoint, on the relay's operator listener.
        const {adminEndpoint} = await import('../relay/admin-client.js')
        const admin = adminEndpoint(relay.adminUrl)
        const status = await httpRequest(`${admin.base}/status`, {
          timeoutMs,
          signal,
          ...(admin.dispatcher && {dispatcher: admin.dispatcher}),
        }).finally(() => admin.close())
        const sessions = (JSON.parse(status.body) as {sessions?: {path: string; state: string}[]}).sessions ?? []
        if (sessions.some((s) => s.path === path && s.state === 'live')) {
          return {
            status: 'warn',
            evidence: `the relay publishes ${path} into MediaMTX (not confirmed: no MediaMTX API configured)`,
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return {
      status: 'fail',
      evidence: `the guest reached Calls, but ${path} did not become ready in MediaMTX within ${timeoutMs} ms`,
      fix: 'r58 relay status  # then check the relay log and its --target',
    }
  } finally {
    video.stop()
    audio.stop()
    if (session) await whipDelete(session, {timeoutMs: 2000}).catch(() => {})
    await pc.close()
  }
}
