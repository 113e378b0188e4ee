/**
 * `r58 diagnose`: which way can a guest reach this MediaMTX — LAN, Tailscale, TURN on MediaMTX, or the Calls
 * relay — and what is the smallest fix for the rest. Checks run concurrently, each bounded, the whole bounded
 * by `timeoutMs`; the report says what was observed (selected candidate pairs, advertised candidates), not
 * what is assumed. A check that does not apply is `skip`, never a failure.
 */
import {runCallsCheck} from '../calls/check.js'
import {type ExitCode, R58Error} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import {createPeer, localDescription, waitForConnected} from '../media/peer.js'
import {createSyntheticSource} from '../media/synthetic.js'
import {MediamtxApi} from '../mediamtx/api-client.js'
import {readMediamtxConfig} from '../mediamtx/config-read.js'
import {findTailscaleAddress} from '../mediamtx/tailscale.js'
import {type AddressScope, isLoopbackAddress} from '../net/address-class.js'
import {httpRequest} from '../net/http.js'
import {type Check, type CheckFailure, type CheckOutcome, runCheck, skippedCheck} from '../report/check.js'
import type {SelectedPair} from '../webrtc/selected-pair.js'
import {whipDelete, whipPost} from '../whip/client.js'
import {whipEndpointUrl} from '../whip/endpoint.js'
import {probeWhip, type WhipProbeReport} from '../whip/probe.js'
import {checkHost} from './host.js'
import {diagnoseExitCode, guestOptions, recommend} from './options.js'
import type {DiagnoseOptions, DiagnoseReport} from './types.js'

/** The tailnet's MTU (tailscale net/tstun): RTP payloads must stay under it. */
const TAILNET_MTU = 1280

const describePair = (pair: SelectedPair | null) =>
  pair
    ? `${pair.local.type} ${pair.local.address}:${pair.local.port}/${pair.local.transport} ↔ ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}/${pair.remote.transport}`
    : 'no pair selected'

/** A WHIP probe as one diagnose check: pass with the selected pair, or the probe's first failure. */
function fromProbe(report: WhipProbeReport, what: string): CheckOutcome | CheckFailure {
  const data = {
    selectedPair: report.selectedPair,
    verdict: report.verdict,
    candidates: report.candidates.map((c) => c.label),
  }
  if (report.ok) {
    return {status: 'pass', evidence: `${what}: connected via ${describePair(report.selectedPair)}`, data}
  }
  const failed = report.checks.find((c) => c.status === 'fail')
  const fix = failed?.fix ?? report.verdict?.fix ?? undefined
  return {
    status: 'fail',
    ...(failed?.failure !== undefined && {failure: failed.failure}),
    evidence: failed ? `${failed.title}: ${failed.evidence}` : `${what} failed`,
    ...(fix !== undefined && fix !== null && {fix}),
    data,
  }
}

/** TURN servers in a list of ice servers (with their credentials). */
function turnOnly(servers: readonly IceServer[]): IceServer[] {
  return servers
    .map((s) => ({...s, urls: (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => /^turns?:/i.test(u))}))
    .filter((s) => s.urls.length > 0)
}

interface MediamtxView {
  source: 'api' | 'file' | 'none'
  /** Non-clientOnly TURN servers MediaMTX allocates on itself. */
  serverTurn: string[]
  clientOnlyTurn: string[]
  detail: string
}

async function readMediamtxView(
  options: DiagnoseOptions,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<MediamtxView> {
  const {apiUrl, apiUser, apiPassword, configPath} = options.mediamtx
  let servers: {url: string; clientOnly: boolean}[] | undefined
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
      servers = list.map((s) => ({url: String(s['url'] ?? ''), clientOnly: s['clientOnly'] === true}))
      source = 'api'
    } catch (error) {
      detail = `API unavailable (${error instanceof R58Error ? error.text : String(error)})`
    }
  }
  if (!servers && configPath) {
    try {
      const {readFile} = await import('node:fs/promises')
      const config = readMediamtxConfig(await readFile(configPath, 'utf8'), configPath)
      servers = config.webrtc.iceServers.map((s) => ({url: s.url, clientOnly: s.clientOnly}))
      source = 'file'
    } catch (error) {
      detail = `${detail ? `${detail}; ` : ''}config file unreadable (${error instanceof R58Error ? error.text : String(error)})`
    }
  }
  const turn = (servers ?? []).filter((s) => /^turns?:/i.test(s.url))
  return {
    source,
    serverTurn: turn.filter((s) => !s.clientOnly).map((s) => s.url),
    clientOnlyTurn: turn.filter((s) => s.clientOnly).map((s) => s.url),
    detail,
  }
}

export async function diagnose(options: DiagnoseOptions): Promise<DiagnoseReport> {
  const total = options.timeoutMs ?? 10_000
  const deadline = AbortSignal.timeout(total)
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline
  const started = Date.now()
  const maxStep = options.stepTimeoutMs ?? 4000
  /** Per-step deadline: what is left of the whole, at most stepTimeoutMs. */
  const step = () => Math.max(500, Math.min(maxStep, total - (Date.now() - started) - 250))
  const {mediamtx} = options
  const via: readonly AddressScope[] | undefined = options.via
  const fileFlag =
    options.fixFileFlag ?? (mediamtx.configPath ? `--file ${mediamtx.configPath}` : '--file <mediamtx.yml>')
  const endpoint = (suffix: string, base = mediamtx.whipUrl) => whipEndpointUrl(base, `${mediamtx.path}-${suffix}`)
  const apiForProbe = mediamtx.apiUrl
    ? {baseUrl: mediamtx.apiUrl, user: mediamtx.apiUser, password: mediamtx.apiPassword}
    : undefined
  const track = async (id: string, title: string, body: () => Promise<CheckOutcome | CheckFailure>): Promise<Check> => {
    options.onProgress?.({id, title, state: 'start'})
    const check = await runCheck(id, title, body)
    options.onProgress?.({id, title, state: 'done'})
    return check
  }

  // Phase 1, concurrently: the LAN probe (whose answer later checks analyse), Tailscale, MediaMTX's own
  // configuration, the Calls credentials, the relay's health, the host.
  let lanReport: WhipProbeReport | undefined
  const lan = track('lan.whip', 'WHIP publish on the LAN', async () => {
    lanReport = await probeWhip({
      url: endpoint('lan'),
      token: mediamtx.token,
      durationMs: 300,
      timeoutMs: step(),
      via: via ?? ['this-host', 'lan'],
      iceServers: [],
      signal,
      ...(apiForProbe && {mediamtxApi: apiForProbe}),
    })
    const outcome = fromProbe(lanReport, `published to ${mediamtx.whipUrl}`)
    if (outcome.status === 'fail' && outcome.failure === 'unreachable' && !outcome.fix) {
      outcome.fix = `Is MediaMTX running? Point r58 at it with --mediamtx-url http://<box>:8889 (now ${mediamtx.whipUrl}).`
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
  const callsCheck = options.calls
    ? track('calls.credentials', 'Calls app id and secret', async () => {
        const calls = options.calls as NonNullable<DiagnoseOptions['calls']>
        const report = await runCallsCheck({
          appId: calls.appId,
          appSecret: calls.appSecret,
          ...(calls.apiBase && {apiBase: calls.apiBase}),
          timeoutMs: step(),
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
  const relayHealth = relayUrl
    ? track('calls.relay.health', 'Relay running', async () => {
        const response = await httpRequest(`${relayUrl.replace(/\/+$/, '')}/healthz`, {
          timeoutMs: step(),
          signal,
          step: 'relay health',
        })
        if (response.status !== 200) {
          return {
            status: 'fail',
            evidence: `${relayUrl}/healthz answered HTTP ${response.status}`,
            fix: 'r58 relay start',
          }
        }
        return {status: 'pass', evidence: `${relayUrl} is healthy`}
      }).then((check) =>
        check.status === 'fail' && check.failure === 'unreachable'
          ? {
              ...check,
              evidence: `no relay at ${relayUrl} (${check.evidence})`,
              fix: `r58 relay start --relay-listen ${new URL(relayUrl).host}`,
            }
          : check,
      )
    : Promise.resolve(skippedCheck('calls.relay.health', 'Relay running', 'no relay URL configured', 'r58 relay start'))
  const host = checkHost(options.host)

  const relayCheck = relayHealth.then((health) => {
    if (health.status !== 'pass' || !relayUrl) {
      return skippedCheck(
        'calls.relay.e2e',
        'A guest through the relay into MediaMTX',
        'the relay is not running',
        'r58 relay start',
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
    return track('calls.relay.e2e', 'A guest through the relay into MediaMTX', () =>
      relayEndToEnd(relayUrl, options.relay?.token as string, `${mediamtx.path}-relay`, mediamtx, step(), signal),
    )
  })

  // The Calls checks finish before the relay-only TURN probe starts: run at the same time on one small box,
  // their werift peers were seen to starve each other's ICE (see the closing note of issue 8).
  const [lanCheck, tailscaleCheck] = await Promise.all([lan, tailscaleUp, callsCheck, relayCheck])
  const answer = lanReport?.candidates ?? []
  const mediamtxView = await view

  // Phase 2: the checks that build on the LAN answer, the configuration and the relay's health.
  const tailscaleAdvertised = (async (): Promise<Check> => {
    if (!tailnetAddress)
      return skippedCheck('tailscale.advertised', 'MediaMTX advertises the tailnet address', 'not on a tailnet')
    if (answer.length === 0)
      return skippedCheck(
        'tailscale.advertised',
        'MediaMTX advertises the tailnet address',
        'no WHIP answer to analyse (see lan.whip)',
      )
    const address = tailnetAddress
    return track('tailscale.advertised', 'MediaMTX advertises the tailnet address', async () =>
      answer.some((c) => c.address === address)
        ? {status: 'pass', evidence: `the answer lists ${address}`}
        : {
            status: 'fail',
            evidence: `the answer lists ${[...new Set(answer.map((c) => c.label))].join(', ')} but not ${address}`,
            fix: `r58 mediamtx configure ${fileFlag} --tailscale --write`,
          },
    )
  })()
  const tailscaleWhip = tailscaleAdvertised.then((advertised) => {
    if (advertised.status !== 'pass' || !tailnetAddress) {
      return skippedCheck(
        'tailscale.whip',
        'WHIP publish over the tailnet',
        'MediaMTX does not advertise the tailnet address',
      )
    }
    const base = new URL(mediamtx.whipUrl)
    base.hostname = tailnetAddress
    return track('tailscale.whip', 'WHIP publish over the tailnet', async () => {
      const report = await probeWhip({
        url: endpoint('tailnet', base.toString()),
        token: mediamtx.token,
        durationMs: 300,
        timeoutMs: step(),
        via: ['tailnet'],
        iceServers: [],
        signal,
      })
      const outcome = fromProbe(report, `published over the tailnet`)
      if (outcome.status === 'pass') outcome.evidence += `; tailnet MTU ${TAILNET_MTU} bytes, keep RTP payloads ≤ 1200`
      return outcome
    })
  })

  const hostOnly = answer.length > 0 && answer.every((c) => c.type === 'host')
  const advertised = [...new Set(answer.map((c) => `${c.label} (${c.scope})`))].join(', ')
  const turnFix = options.turn?.iceServers.length
    ? `r58 mediamtx configure ${fileFlag} --turn ${turnOnly(options.turn.iceServers).flatMap((s) => s.urls)[0] ?? 'turn:<host>:3478'} --turn-username <user> --turn-credential-file <file> --write`
    : `r58 mediamtx configure ${fileFlag} --turn turn:<host>:3478 --turn-username <user> --turn-credential-file <file> --write (or --cloudflare-turn)`
  const turnConfigured = track('turn.configured', 'MediaMTX uses TURN itself', async () => {
    const relayCandidates = answer.filter((c) => c.type === 'relay')
    if (relayCandidates.length > 0) {
      return {
        status: 'pass',
        evidence: `the answer offers relay candidates: ${relayCandidates.map((c) => c.label).join(', ')}`,
      }
    }
    if (mediamtxView.serverTurn.length > 0) {
      return {
        status: 'warn',
        evidence: `MediaMTX is configured with ${mediamtxView.serverTurn.join(', ')} but its answer has no relay candidate (allocation failing?)`,
        fix: `r58 probe turn ${mediamtxView.serverTurn[0]} --turn-username <user> --turn-credential-file <file>`,
      }
    }
    const clientOnly =
      mediamtxView.clientOnlyTurn.length > 0
        ? ` (its TURN servers are clientOnly: ${mediamtxView.clientOnlyTurn.join(', ')})`
        : ''
    if (answer.length === 0) {
      return {status: 'fail', evidence: `no WHIP answer to analyse${clientOnly}; see lan.whip`, fix: turnFix}
    }
    return {
      status: 'fail',
      evidence: `MediaMTX advertises only ${hostOnly ? 'host candidates' : 'non-relay candidates'}: ${advertised}${clientOnly} — a guest outside this network cannot reach them, even with TURN on the guest side`,
      fix: turnFix,
    }
  })
  const turnServers = options.turn?.iceServers.length
    ? {servers: turnOnly(options.turn.iceServers), source: options.turn.source}
    : lanReport?.iceServers.urls.some((u) => /^turns?:/i.test(u))
      ? {servers: [], source: 'MediaMTX Link headers'}
      : undefined
  const turnRelayOnly = !turnServers
    ? Promise.resolve(
        skippedCheck(
          'turn.relay-only',
          'Relay-only publish (a remote guest behind NAT)',
          'no TURN server to test with',
          'Give TURN servers with --turn-urls, --turn-username and --turn-credential-file, or a Cloudflare TURN key (--turn-key-id, --turn-key-token-file).',
        ),
      )
    : track('turn.relay-only', 'Relay-only publish (a remote guest behind NAT)', async () => {
        const report = await probeWhip({
          url: endpoint('turn'),
          token: mediamtx.token,
          durationMs: 300,
          timeoutMs: step(),
          relayOnly: true,
          ...(turnServers.servers.length > 0 && {iceServers: turnServers.servers}),
          ...(via && {via}),
          signal,
        })
        const outcome = fromProbe(report, `through TURN (${turnServers.source})`)
        const remote = report.selectedPair?.remote
        if (outcome.status === 'pass' && remote && remote.type !== 'relay') {
          // Observed, not assumed: ICE may succeed through MediaMTX's srflx or host address, not its relay.
          outcome.evidence += ` — through MediaMTX's ${remote.type} address, not a relay of MediaMTX`
        }
        if (outcome.status === 'fail' && report.checks.some((c) => c.id === 'whip.post' && c.status === 'pass')) {
          outcome.evidence = `201 and SDP fine, but ICE checking → failed through TURN: MediaMTX offers ${advertised || 'no candidates'}`
          outcome.fix = turnFix
        }
        return outcome
      })

  const checks = await Promise.all([
    lanCheck,
    tailscaleCheck,
    tailscaleAdvertised,
    tailscaleWhip,
    turnConfigured,
    turnRelayOnly,
    callsCheck,
    relayHealth,
    relayCheck,
    host,
  ]).then((all) => all.flat())
  const guestOptionList = guestOptions(checks)
  const exitCode: ExitCode = diagnoseExitCode(guestOptionList, options.require)
  return {
    target: {whipUrl: mediamtx.whipUrl, apiUrl: mediamtx.apiUrl ?? null, path: mediamtx.path},
    checks,
    options: guestOptionList,
    recommendation: recommend(guestOptionList),
    ok: exitCode === 0,
    exitCode,
  }
}

/**
 * A synthetic guest publishes through the relay's ingress (as a browser would), and the media must show up in
 * MediaMTX: the path becomes ready with growing inbound bytes (API), or the relay reports the session live.
 */
async function relayEndToEnd(
  relayUrl: string,
  token: string,
  path: string,
  mediamtx: DiagnoseOptions['mediamtx'],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<CheckOutcome | CheckFailure> {
  const loopback = isLoopbackAddress(new URL(relayUrl).hostname)
  const pc = createPeer(
    loopback ? {hostAddresses: ['127.0.0.1']} : {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]},
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
            return {
              status: 'pass',
              evidence: `MediaMTX path ${path} is ready with ${state.tracks.join('+')} and growing bytes`,
            }
          }
        }
      } else {
        const status = await httpRequest(`${relayUrl.replace(/\/+$/, '')}/status`, {
          headers: {authorization: `Bearer ${token}`},
          timeoutMs,
          signal,
        })
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
      fix: 'r58 relay status  # then check the relay log and its --relay-target',
    }
  } finally {
    video.stop()
    audio.stop()
    if (session) await whipDelete(session, {timeoutMs: 2000}).catch(() => {})
    await pc.close()
  }
}
