/**
 * `r58 probe whip`: publish a real (synthetic) stream to a WHIP endpoint and explain exactly why a remote guest
 * would or would not get through. The answer analysis is the heart of it: MediaMTX answers 201 to anyone the HTTP
 * tunnel lets in, but media can only flow to the addresses its answer lists.
 */
import type {Dispatcher} from 'undici'
import type {ExitCode} from '../errors.js'
import {R58Error} from '../errors.js'
import {type IceServer, iceServerUrls, parseIceUrl} from '../ice/ice-url.js'
import {MediamtxApi} from '../mediamtx/api-client.js'
import {type AddressScope, isLoopbackAddress} from '../net/address-class.js'
import {
  type Check,
  type CheckFailure,
  type CheckOutcome,
  exitCodeOf,
  isOk,
  runCheck,
  skippedCheck,
} from '../report/check.js'
import {type AnalyzedCandidate, type AnswerAnalysis, analyzeAnswer} from '../sdp/analysis.js'
import {filterCandidateLines, unbundleOnly} from '../sdp/munge.js'
import {parseSdp} from '../sdp/session.js'
import {reachabilityVerdict, type Verdict} from '../sdp/verdict.js'
import {sleep, withTimeout} from '../util/abort.js'
import {type SelectedPair, selectedPair} from '../webrtc/selected-pair.js'
import {type WhipRequestOptions, type WhipSession, whipDelete, whipOptions, whipPatch, whipPost} from './client.js'
import {mediamtxPathOf} from './endpoint.js'
import {type ProbeVideoCodec, Publisher, type RtcpSummary, type SentMedia} from './publisher.js'
import {buildTrickleFragment} from './sdpfrag.js'

export interface WhipProbeOptions {
  /** The WHIP endpoint (see whipEndpointUrl for the MediaMTX base-URL form). */
  url: string
  /** Bearer token for the WHIP requests. */
  token?: string | undefined
  /** ICE servers to use instead of the server's Link headers. */
  iceServers?: IceServer[] | undefined
  /** Credentials for --ice-server TURN URLs that carry none. */
  iceUsername?: string | undefined
  iceCredential?: string | undefined
  /** Relay candidates only, through TURN: what a guest behind a strict NAT experiences. */
  relayOnly?: boolean
  /** Media sent after the first RTP packet. Default 3000 ms. */
  durationMs?: number
  video?: ProbeVideoCodec
  /** Deadline of each step (HTTP request, ICE checking, DTLS, first RTP, API readiness). Default 5000 ms. */
  timeoutMs?: number
  /** PATCH a trickle fragment after the POST. Default true. */
  trickle?: boolean
  /**
   * Connect only through server candidates of these scopes (the analysis still lists all). `['this-host']` also
   * gathers and binds on 127.0.0.1 only: nothing is ever sent off this machine.
   */
  via?: readonly AddressScope[] | undefined
  /** With via this-host: the loopback address the peer binds to. Default 127.0.0.1. */
  loopbackAddress?: string | undefined
  /** MediaMTX control API to confirm the session from the server's side. */
  mediamtxApi?: {baseUrl: string; user?: string | undefined; password?: string | undefined} | undefined
  signal?: AbortSignal | undefined
  dispatcher?: Dispatcher | undefined
}

export interface TimelineEntry {
  /** Milliseconds since the probe started. */
  at: number
  event: string
  detail: string
}

export interface ProbeCandidate extends AnalyzedCandidate {
  /** Whether the probe let its peer connect through this candidate. */
  used: boolean
  /** Why not, when not used. */
  skipReason: string | null
}

export interface MediamtxConfirmation {
  path: string
  ready: boolean
  sourceType: string | null
  sourceId: string | null
  /** The WHIP answer's ID header equals the path's source id. */
  idMatches: boolean
  inboundBytes: number[]
  bytesGrowing: boolean
  tracks: string[]
  /** MediaMTX's selected pair, `type/proto/address/port`. */
  localCandidate: string | null
  remoteCandidate: string | null
}

export interface WhipProbeReport {
  url: string
  server: {
    kind: 'mediamtx' | 'whip'
    id: string | null
    location: string | null
    locationForm: string | null
    resource: string | null
    etag: string | null
    etagHeader: string | null
    redirects: string[]
    trickle: {status: number; outcome: string; message: string | null} | null
  }
  iceServers: {urls: string[]; source: 'flag' | 'options' | 'post' | 'none'; relay: string | null; ignored: string[]}
  relayOnly: boolean
  video: ProbeVideoCodec
  timeline: TimelineEntry[]
  candidates: ProbeCandidate[]
  verdict: Verdict | null
  selectedPair: SelectedPair | null
  media: {audio: SentMedia; video: SentMedia} | null
  rtcp: {audio: RtcpSummary; video: RtcpSummary} | null
  mediamtx: MediamtxConfirmation | null
  checks: Check[]
  ok: boolean
  exitCode: ExitCode
}

const TITLES: Record<string, string> = {
  'whip.options': 'OPTIONS: methods and ICE servers',
  'whip.post': 'POST offer → 201 answer',
  'whip.answer.candidates': 'Candidates in the answer',
  'whip.ice': 'ICE connectivity',
  'whip.dtls': 'DTLS handshake',
  'whip.media': 'Media (RTP out, RTCP back)',
  'whip.mediamtx.path': 'MediaMTX API: path and session',
  'whip.delete': 'DELETE the session',
}
const ORDER = Object.keys(TITLES)

/** Why the probe's peer will not use a candidate (undefined: it may). */
export function candidateSkipReason(
  c: Pick<AnalyzedCandidate, 'category' | 'scope' | 'transport' | 'documentation'>,
  via: readonly AddressScope[] | undefined,
): string | undefined {
  if (c.category === 'mdns') return 'mDNS name: not resolved (MediaMTX ignores them too)'
  if (c.category === 'hostname') return 'host name: not resolved by the probe'
  if (c.category === 'unspecified' || c.category === 'multicast') return 'not a unicast address'
  if (c.documentation) return 'documentation address (TEST-NET): never routable'
  if (c.transport === 'tcp') return 'ICE-TCP: listed, not probed'
  if (via && !via.includes(c.scope)) return `outside --via ${via.join(',')}`
  return undefined
}

function pickRelay(servers: readonly IceServer[]): IceServer | undefined {
  const entries = servers.flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls]).map((url) => ({...s, urls: url}) as IceServer & {urls: string}),
  )
  const turn = entries.filter((s) => /^turns?:/i.test(s.urls))
  const rank = (url: string) => (url.startsWith('turns:') ? 2 : /transport=tcp/i.test(url) ? 1 : 0)
  return turn.sort((a, b) => rank(a.urls) - rank(b.urls))[0]
}

function hostOf(url: string): string | undefined {
  try {
    return parseIceUrl(url).host
  } catch {
    return undefined
  }
}

export async function probeWhip(options: WhipProbeOptions): Promise<WhipProbeReport> {
  const started = performance.now()
  const timeoutMs = options.timeoutMs ?? 5000
  const durationMs = options.durationMs ?? 3000
  const via = options.via && options.via.length > 0 ? options.via : undefined
  const loopbackOnly = via?.every((scope) => scope === 'this-host') ?? false
  const video = options.video ?? 'vp8'
  const relayOnly = options.relayOnly ?? false
  const request: WhipRequestOptions = {
    token: options.token,
    timeoutMs,
    signal: options.signal,
    dispatcher: options.dispatcher,
  }
  const timeline: TimelineEntry[] = []
  const mark = (event: string, detail: string) =>
    timeline.push({at: Math.round(performance.now() - started), event, detail})
  const checks = new Map<string, Check>()
  const run = async (id: string, body: () => Promise<CheckOutcome | CheckFailure>): Promise<Check> => {
    const check = await runCheck(id, TITLES[id] ?? id, body)
    checks.set(id, check)
    return check
  }
  const report: WhipProbeReport = {
    url: options.url,
    server: {
      kind: 'whip',
      id: null,
      location: null,
      locationForm: null,
      resource: null,
      etag: null,
      etagHeader: null,
      redirects: [],
      trickle: null,
    },
    iceServers: {urls: [], source: 'none', relay: null, ignored: []},
    relayOnly,
    video,
    timeline,
    candidates: [],
    verdict: null,
    selectedPair: null,
    media: null,
    rtcp: null,
    mediamtx: null,
    checks: [],
    ok: false,
    exitCode: 0,
  }

  let publisher: Publisher | undefined
  let session: WhipSession | undefined
  let stopReason: string | undefined
  try {
    // 1. OPTIONS: allowed methods, Link ICE servers.
    let linkServers: IceServer[] = []
    const optionsCheck = await run('whip.options', async () => {
      const result = await whipOptions(options.url, request)
      mark(
        'options',
        `HTTP ${result.status}${result.methods.length ? `, allows ${result.methods.join(', ')}` : ''}, ${result.iceServers.length} ICE server(s) in Link headers`,
      )
      linkServers = result.iceServers
      report.iceServers.ignored.push(...result.linkIgnored)
      if (result.status === 401 || result.status === 403) {
        return {
          status: 'fail',
          failure: 'auth',
          evidence: `HTTP ${result.status}${result.message ? `: ${result.message}` : ''} (credentials ${options.token ? 'rejected' : 'required'})`,
          fix: 'Give the publish credentials with --mediamtx-token-file (a file holding "user:pass" or a JWT).',
        }
      }
      const urls = iceServerUrls(result.iceServers)
      if (result.status >= 200 && result.status < 300 && result.message !== '(an HTML page)') {
        return {
          status: 'pass',
          evidence: `HTTP ${result.status}${result.methods.length ? `; methods ${result.methods.join(', ')}` : ''}; ICE servers: ${urls.length ? urls.join(', ') : 'none'}`,
          data: {status: result.status, methods: result.methods, iceServers: urls},
        }
      }
      return {
        status: 'warn',
        evidence: `HTTP ${result.status}${result.message ? ` (${result.message})` : ''}: no usable OPTIONS answer, so no ICE servers before the offer`,
        data: {status: result.status, methods: result.methods, iceServers: urls},
      }
    })
    if (optionsCheck.status === 'fail') {
      stopReason = `OPTIONS failed (${optionsCheck.evidence})`
      return report
    }

    // 2. The publisher and its offer.
    let iceServers: IceServer[]
    if (options.iceServers && options.iceServers.length > 0) {
      iceServers = options.iceServers.map((s) => ({
        ...s,
        ...(s.username === undefined && options.iceUsername !== undefined && {username: options.iceUsername}),
        ...(s.credential === undefined && options.iceCredential !== undefined && {credential: options.iceCredential}),
      }))
      report.iceServers.source = 'flag'
    } else {
      iceServers = linkServers
      report.iceServers.source = linkServers.length > 0 ? 'options' : 'none'
    }
    if (loopbackOnly) {
      const remote = iceServerUrls(iceServers).filter((url) => !isLoopbackAddress(hostOf(url) ?? ''))
      if (remote.length > 0)
        report.iceServers.ignored.push(...remote.map((url) => `${url} (not loopback, --via this-host)`))
      iceServers = iceServers
        .map((s) => ({
          ...s,
          urls: (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => isLoopbackAddress(hostOf(u) ?? '')),
        }))
        .filter((s) => s.urls.length > 0)
    }
    const relay = pickRelay(iceServers)
    report.iceServers.relay = relay ? String(relay.urls) : null
    // werift uses the first STUN and the first TURN URL only: hand it exactly those.
    const stun = iceServerUrls(iceServers).find((url) => /^stuns?:/i.test(url))
    const peerServers: IceServer[] = [...(stun ? [{urls: stun}] : []), ...(relay ? [relay] : [])]
    report.iceServers.urls = iceServerUrls(peerServers)
    if (relayOnly && !relay) {
      stopReason = '--relay-only without a TURN server'
      await run('whip.post', async () => ({
        status: 'fail',
        evidence: '--relay-only needs a TURN server, and none was given or handed out in Link headers',
        fix: 'Give --ice-server turn:host:3478?transport=udp (with --turn-username/--turn-credential-file), or let MediaMTX hand one out (webrtcICEServers2 with clientOnly: true)',
      }))
      return report
    }
    publisher = new Publisher({
      video,
      iceServers: peerServers,
      relayOnly,
      loopbackOnly,
      loopbackAddress: options.loopbackAddress,
      allowRemote: () => true,
    })
    const pc = publisher.pc
    pc.iceConnectionStateChange.subscribe((state) => {
      if (state === 'checking' || state === 'failed' || state === 'disconnected') {
        mark(`ice.${state}`, `ICE ${state}`)
      }
    })
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') mark('dtls.connected', 'DTLS connected (SRTP keys ready)')
      else if (state === 'failed') mark('pc.failed', 'peer connection failed')
    })
    publisher.onFirstReport = () => mark('rtcp.rr', 'first RTCP receiver report from the server')
    let offer: Awaited<ReturnType<typeof pc.setLocalDescription>>
    try {
      offer = await withTimeout(publisher.createLocalOffer(), timeoutMs + 9000, 'ICE gathering', options.signal)
    } catch (error) {
      stopReason = 'ICE gathering did not finish'
      await run('whip.post', async () => {
        if (error instanceof R58Error && error.code === 'E_TIMEOUT' && relay) {
          throw new R58Error(
            'E_TIMEOUT',
            `${error.text}: the TURN allocation on ${String(relay.urls)} did not finish`,
            {
              hint: 'Check the TURN URL and credentials: werift drops a TURN 401, so wrong credentials look like a timeout (`r58 probe turn` tells them apart).',
            },
          )
        }
        throw error
      })
      return report
    }
    const offerSdp = pc.localDescription?.sdp ?? offer.string
    const ours = parseSdp(offerSdp, 'offer')
    mark(
      'offer',
      `offer with ${ours.candidates.length} candidate(s): ${[...new Set(ours.candidates.map((c) => `${c.type} ${c.address}:${c.port}`))].join(', ') || 'none'}`,
    )

    // 3. POST, then trickle.
    const postCheck = await run('whip.post', async () => {
      if (relayOnly && !ours.candidates.some((c) => c.type === 'relay')) {
        throw new R58Error(
          'E_UNREACHABLE',
          `no relay candidate from ${report.iceServers.relay}: the TURN allocation failed`,
          {
            hint: 'Check the TURN URL and credentials (`r58 probe turn`).',
          },
        )
      }
      mark('post', `POST ${options.url}`)
      session = await whipPost(options.url, offerSdp, request)
      const s = session
      mark(
        'answer',
        `HTTP ${s.status} in ${s.durationMs} ms${s.location ? `, Location ${s.location}` : ', no Location'}${s.etag ? `, ${s.etagHeader} ${s.etag}` : ''}${s.id ? `, ID ${s.id}` : ''}`,
      )
      Object.assign(report.server, {
        id: s.id,
        location: s.location,
        locationForm: s.resource.form,
        resource: s.resource.url,
        etag: s.etag,
        etagHeader: s.etagHeader,
        redirects: s.redirects,
        kind: s.id !== null || s.etagHeader === 'E-Tag' || options.mediamtxApi ? 'mediamtx' : 'whip',
      })
      if (report.iceServers.source === 'none' && s.iceServers.length > 0) {
        report.iceServers.ignored.push(
          ...iceServerUrls(s.iceServers).map((url) => `${url} (Link header of the 201 arrived after the offer)`),
        )
      }
      const notes: string[] = []
      let status: 'pass' | 'warn' = 'pass'
      if (s.status !== 201) {
        status = 'warn'
        notes.push(`HTTP ${s.status} instead of 201`)
      }
      if (s.resource.form === 'missing') notes.push('no Location header: PATCH and DELETE go to the endpoint URL')
      if (s.redirects.length > 0) notes.push(`followed ${s.redirects.join(', ')}`)
      if (options.trickle ?? true) {
        const first = ours.media[0]
        const fragment = buildTrickleFragment({
          ufrag: ours.iceUfrag ?? '',
          pwd: ours.icePwd ?? '',
          sections: [
            {
              kind: first?.kind ?? 'audio',
              mid: first?.mid ?? '0',
              candidates: ours.candidates.filter((c) => c.mLineIndex === 0).map((c) => c.line),
            },
          ],
          end: true,
        })
        const patch = await whipPatch(s, fragment, request).catch((error: unknown) => {
          if (error instanceof R58Error && error.exitCode === 5) throw error
          return {
            status: 0,
            outcome: 'rejected' as const,
            message: error instanceof Error ? error.message : String(error),
            durationMs: 0,
          }
        })
        report.server.trickle = {status: patch.status, outcome: patch.outcome, message: patch.message}
        mark('patch', `PATCH trickle fragment: HTTP ${patch.status} (${patch.outcome})`)
        if (patch.outcome === 'unsupported')
          notes.push(`no trickle (PATCH → ${patch.status}); candidates went in the offer`)
        else if (patch.outcome === 'rejected') {
          status = 'warn'
          notes.push(
            `PATCH ${s.resource.url} → HTTP ${patch.status}${patch.message ? ` (${patch.message})` : ''}: the session URL does not work (a proxy rewriting paths?)`,
          )
        } else notes.push(`trickle PATCH → ${patch.status}`)
      }
      return {
        status,
        evidence: `HTTP ${s.status} in ${s.durationMs} ms; session ${s.resource.url}${s.id ? `; ID ${s.id}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
        data: {status: s.status, location: s.location, resource: s.resource.url, etag: s.etag, id: s.id},
      }
    })
    if (postCheck.status === 'fail' || !session) {
      stopReason = 'the POST failed'
      return report
    }
    const whip = session

    // 4. The answer: every candidate, classified, and the verdict.
    let analysis: AnswerAnalysis | undefined
    await run('whip.answer.candidates', async () => {
      analysis = analyzeAnswer(whip.answer)
      report.candidates = analysis.candidates.map((c) => {
        const reason = candidateSkipReason(c, via)
        return {...c, used: reason === undefined, skipReason: reason ?? null}
      })
      const verdict = reachabilityVerdict(analysis.candidates, {
        server: report.server.kind === 'mediamtx' ? 'MediaMTX' : 'The server',
      })
      report.verdict = verdict
      const count = `${analysis.candidates.length} candidate(s)`
      if (analysis.candidates.length === 0) {
        return {
          status: 'fail',
          evidence: 'the answer has no a=candidate line: no guest can connect (WHIP servers send a complete answer)',
          ...(verdict.fix !== null && {fix: verdict.fix}),
        }
      }
      const status = verdict.scope === 'anywhere' ? 'pass' : verdict.scope === 'none' ? 'fail' : 'warn'
      const outcome = {
        evidence: `${count}; ${verdict.text}`,
        ...(verdict.fix !== null && {fix: verdict.fix}),
        data: {scope: verdict.scope},
      }
      return status === 'fail' ? {status, ...outcome} : {status, ...outcome}
    })
    if (!analysis) {
      stopReason = 'the answer could not be read'
      return report
    }
    if (analysis.candidates.length === 0) {
      stopReason = 'the answer has no candidate'
      return report
    }

    // 5. ICE, DTLS, media.
    const used = new Set(report.candidates.filter((c) => c.used).map((c) => c.lineNumber))
    let answer = filterCandidateLines(whip.answer, (line) => used.has(line))
    const unbundled = unbundleOnly(answer)
    answer = unbundled.sdp
    if (unbundled.changed > 0)
      mark('answer.munged', `${unbundled.changed} bundle-only m-line(s) given port 9 (werift rejects port 0)`)
    const iceCheck = await run('whip.ice', async () => {
      // werift's iceConnectionState says "completed" once gathering ends and "connected" before a pair has
      // succeeded, so the pair itself is the signal: ICE is connected when a candidate pair succeeded.
      let failed = false
      pc.iceConnectionStateChange.subscribe((state) => {
        if (state === 'failed') failed = true
      })
      const connected = (async () => {
        for (;;) {
          if (selectedPair(pc) !== null) return
          if (failed) throw new R58Error('E_UNREACHABLE', 'ICE failed: no candidate pair answered')
          await sleep(5, options.signal)
        }
      })()
      connected.catch(() => {})
      await pc.setRemoteDescription({type: 'answer', sdp: answer}).catch((error: unknown) => {
        throw new R58Error(
          'E_PROTOCOL',
          `the answer was refused by WebRTC: ${error instanceof Error ? error.message : String(error)}`,
        )
      })
      const tried = report.candidates.filter((c) => c.used).map((c) => c.label)
      if (tried.length === 0) {
        throw new R58Error(
          'E_UNREACHABLE',
          `no candidate to connect to (${report.candidates.map((c) => `${c.label}: ${c.skipReason}`).join('; ')})`,
        )
      }
      try {
        await withTimeout(connected, timeoutMs, 'ICE checking', options.signal)
      } catch (error) {
        if (error instanceof R58Error && error.code === 'E_TIMEOUT') {
          throw new R58Error(
            'E_TIMEOUT',
            `ICE checking: no answer from ${tried.join(', ')} within ${timeoutMs} ms${relayOnly ? ' through the TURN relay' : ''}`,
            {hint: report.verdict?.fix ?? undefined},
          )
        }
        throw error
      }
      report.selectedPair = selectedPair(pc)
      const pair = report.selectedPair
      mark(
        'ice.connected',
        pair
          ? `ICE connected: ${pair.local.type} ${pair.local.address}:${pair.local.port} ⇄ ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}`
          : 'ICE connected',
      )
      return {
        status: 'pass',
        evidence: pair
          ? `connected: ${pair.local.type} ${pair.local.address}:${pair.local.port} ⇄ ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}/${pair.remote.transport}`
          : 'connected',
      }
    })
    if (iceCheck.status === 'fail') {
      stopReason = 'ICE did not connect'
      return report
    }
    const dtlsCheck = await run('whip.dtls', async () => {
      if (pc.connectionState !== 'connected') {
        await withTimeout(
          pc.connectionStateChange.watch((state) => state === 'connected'),
          timeoutMs,
          'DTLS handshake',
          options.signal,
        )
      }
      report.selectedPair = selectedPair(pc) ?? report.selectedPair
      return {status: 'pass', evidence: 'DTLS connected, SRTP keys exchanged'}
    })
    if (dtlsCheck.status === 'fail') {
      stopReason = 'DTLS did not connect'
      return report
    }
    const active = publisher
    await run('whip.media', async () => {
      const firstRtp = (async () => {
        for (;;) {
          const sent = active.packetsSent()
          if (sent.audio + sent.video > 0) return
          await sleep(5, options.signal)
        }
      })()
      await withTimeout(firstRtp, timeoutMs, 'first RTP', options.signal)
      mark('rtp.first', 'first RTP packet sent')
      const confirm = options.mediamtxApi
        ? confirmWithMediamtx(options.mediamtxApi, whip, timeoutMs, options.signal, durationMs).then((result) => {
            report.mediamtx = result.confirmation
            mark('mediamtx', result.summary)
            return result
          })
        : undefined
      await sleep(durationMs, options.signal)
      const apiResult = await confirm?.catch((error: unknown) => ({error}))
      if (apiResult) {
        checks.set(
          'whip.mediamtx.path',
          await runCheck('whip.mediamtx.path', TITLES['whip.mediamtx.path'] as string, async () => {
            if ('error' in apiResult) throw apiResult.error
            return apiResult.outcome
          }),
        )
      }
      active.updateRtt()
      const media = active.sent()
      const sent = active.packetsSent()
      report.media = media
      report.rtcp = structuredClone(active.rtcp)
      mark('media.done', `sent ${sent.audio} audio and ${sent.video} video RTP packets`)
      const rr = active.rtcp
      const reports = rr.audio.reports + rr.video.reports
      const kind = rr.video.reports > 0 ? 'video' : 'audio'
      const r = rr[kind]
      const quality =
        reports > 0
          ? `; server RTCP: ${reports} report(s), ${kind} loss ${((r.fractionLost ?? 0) * 100).toFixed(1)}%, jitter ${r.jitterMs ?? '?'} ms${r.rttMs !== null ? `, RTT ${r.rttMs} ms` : ''}`
          : '; no RTCP receiver reports from the server'
      return {
        status: sent.audio + sent.video > 0 ? 'pass' : 'fail',
        evidence: `sent ${sent.audio} audio + ${sent.video} video packets over ${(durationMs / 1000).toFixed(1)} s; keyframe requests answered: ${media.video.keyframeRequests}${quality}`,
      }
    })
    return report
  } finally {
    if (session) {
      const s = session
      await run('whip.delete', async () => {
        const result = await whipDelete(s, request)
        mark('delete', `DELETE ${s.resource.url}: HTTP ${result.status}`)
        if (result.ok) return {status: 'pass', evidence: `HTTP ${result.status}`}
        if (
          result.status === 405 ||
          result.status === 501 ||
          (result.status === 404 && s.resource.form === 'missing')
        ) {
          return {
            status: 'warn',
            evidence: `HTTP ${result.status}: the server has no DELETE (MediaMTX before v1.2.1); the session ends when it times out`,
          }
        }
        return {
          status: 'fail',
          evidence: `DELETE ${s.resource.url} → HTTP ${result.status}${result.message ? `: ${result.message}` : ''}`,
          fix: 'The session URL from the Location header does not work: check proxies that rewrite paths.',
        }
      })
    }
    await publisher?.close()
    if (publisher) mark('closed', 'peer connection closed')
    report.checks = ORDER.map(
      (id) =>
        checks.get(id) ??
        skippedCheck(
          id,
          TITLES[id] as string,
          id === 'whip.mediamtx.path' && !options.mediamtxApi
            ? 'no --mediamtx-api-url given'
            : `not run: ${stopReason ?? 'an earlier step failed'}`,
          id === 'whip.mediamtx.path' && !options.mediamtxApi
            ? 'Add --mediamtx-api-url http://<box>:9997 to confirm from MediaMTX itself'
            : undefined,
        ),
    )
    report.ok = isOk(report.checks)
    report.exitCode = exitCodeOf(report.checks)
  }
}

interface ApiResult {
  confirmation: MediamtxConfirmation
  outcome: CheckOutcome | CheckFailure
  summary: string
}

/** Polls MediaMTX's API: path ready with our session as source, bytes growing, the session's selected pair. */
async function confirmWithMediamtx(
  target: NonNullable<WhipProbeOptions['mediamtxApi']>,
  session: WhipSession,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  durationMs: number,
): Promise<ApiResult> {
  const name = mediamtxPathOf(session.endpoint)
  if (name === undefined) {
    throw new R58Error('E_USAGE', `--mediamtx-api: ${session.endpoint} is not a MediaMTX /<path>/whip URL`)
  }
  const api = new MediamtxApi({
    baseUrl: target.baseUrl,
    user: target.user,
    password: target.password,
    timeoutMs,
    ...(signal && {signal}),
  })
  const deadline = Date.now() + timeoutMs
  let path = await api.path(name)
  while (!path?.ready && Date.now() < deadline) {
    await sleep(100, signal)
    path = await api.path(name)
  }
  const confirmation: MediamtxConfirmation = {
    path: name,
    ready: path?.ready ?? false,
    sourceType: path?.source?.type ?? null,
    sourceId: path?.source?.id ?? null,
    idMatches: session.id !== null && path?.source?.id === session.id,
    inboundBytes: path ? [path.inboundBytes] : [],
    bytesGrowing: false,
    tracks: path?.tracks ?? [],
    localCandidate: null,
    remoteCandidate: null,
  }
  if (path?.ready) {
    await sleep(Math.min(500, Math.max(200, durationMs / 3)), signal)
    const again = await api.path(name)
    if (again) confirmation.inboundBytes.push(again.inboundBytes)
    confirmation.bytesGrowing = (confirmation.inboundBytes[1] ?? 0) > (confirmation.inboundBytes[0] ?? 0)
  }
  if (session.id !== null) {
    const webrtc = await api.webrtcSession(session.id)
    confirmation.localCandidate = webrtc?.localCandidate || null
    confirmation.remoteCandidate = webrtc?.remoteCandidate || null
  }
  const problems: string[] = []
  if (!confirmation.ready) problems.push(`path "${name}" did not become ready within ${timeoutMs} ms`)
  else {
    if (!confirmation.idMatches) {
      problems.push(
        `the path's source is ${confirmation.sourceType ?? '?'} ${confirmation.sourceId ?? '?'}, not this session (ID ${session.id ?? 'missing'})`,
      )
    }
    if (!confirmation.bytesGrowing)
      problems.push(`inbound bytes did not grow (${confirmation.inboundBytes.join(' → ')})`)
  }
  const pair =
    confirmation.localCandidate !== null
      ? `; MediaMTX selected ${confirmation.localCandidate} ⇄ ${confirmation.remoteCandidate}`
      : ''
  const summary =
    problems.length === 0
      ? `path "${name}" ready, source ${confirmation.sourceType} ${confirmation.sourceId} = ID header, inbound bytes ${confirmation.inboundBytes.join(' → ')}${pair}`
      : `${problems.join('; ')}${pair}`
  const outcome: CheckOutcome | CheckFailure =
    problems.length === 0
      ? {status: 'pass', evidence: summary}
      : {
          status: 'fail',
          evidence: summary,
          fix: 'Check the path name and that nothing else publishes to it (overridePublisher).',
        }
  return {confirmation, outcome, summary}
}
