/** What every step of the WHIP probe shares: the options, the report being filled, the timeline, the checks. */
import {EXIT} from '../../errors.js'
import type {AddressScope} from '../../net/address-class.js'
import {
  type Check,
  type CheckFailure,
  type CheckOutcome,
  exitCodeOf,
  isOk,
  runCheck,
  skippedCheck,
} from '../../report/check.js'
import type {Publisher} from '../publisher.js'
import type {WhipRequestOptions, WhipSession} from '../whip-client.js'
import type {WhipProbeOptions, WhipProbeReport} from './probe-types.js'

export const TITLES: Record<string, string> = {
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

export interface ProbeContext {
  options: WhipProbeOptions
  timeoutMs: number
  durationMs: number
  via: readonly AddressScope[] | undefined
  /** --via this-host only: gather and bind on loopback, use loopback ICE servers only. */
  loopbackOnly: boolean
  relayOnly: boolean
  request: WhipRequestOptions
  report: WhipProbeReport
  checks: Map<string, Check>
  /** Adds a timeline entry, stamped with the milliseconds since the probe started. */
  mark(event: string, detail: string): void
  /** Runs one check and records it under its id. */
  run(id: string, body: () => Promise<CheckOutcome | CheckFailure>): Promise<Check>
  /** Why the probe stopped early: the evidence of every check it did not run. */
  stopReason: string | undefined
  /** Set once created: closed at the end whatever happened. */
  publisher: Publisher | undefined
  /** Set once the POST succeeded: DELETEd at the end whatever happened. */
  session: WhipSession | undefined
}

export function createProbeContext(options: WhipProbeOptions): ProbeContext {
  const started = performance.now()
  const timeoutMs = options.timeoutMs ?? 5000
  const via = options.via && options.via.length > 0 ? options.via : undefined
  const relayOnly = options.relayOnly ?? false
  const video = options.video ?? 'vp8'
  const checks = new Map<string, Check>()
  const report = emptyReport(options.url, relayOnly, video)
  return {
    options,
    timeoutMs,
    durationMs: options.durationMs ?? 3000,
    via,
    loopbackOnly: via?.every((scope) => scope === 'this-host') ?? false,
    relayOnly,
    request: {token: options.token, timeoutMs, signal: options.signal, dispatcher: options.dispatcher},
    report,
    checks,
    mark: (event, detail) => report.timeline.push({at: Math.round(performance.now() - started), event, detail}),
    run: async (id, body) => {
      const check = await runCheck(id, TITLES[id] ?? id, body)
      checks.set(id, check)
      return check
    },
    stopReason: undefined,
    publisher: undefined,
    session: undefined,
  }
}

function emptyReport(url: string, relayOnly: boolean, video: WhipProbeReport['video']): WhipProbeReport {
  return {
    url,
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
    timeline: [],
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
}

/** Every check in its order, those not run saying why; then the verdict of the whole. */
export function finishReport(ctx: ProbeContext): void {
  const {report, checks, options} = ctx
  report.checks = ORDER.map(
    (id) =>
      checks.get(id) ??
      skippedCheck(
        id,
        TITLES[id] as string,
        id === 'whip.mediamtx.path' && !options.mediamtxApi
          ? 'no --mediamtx-api-url given'
          : `not run: ${ctx.stopReason ?? 'an earlier step failed'}`,
        id === 'whip.mediamtx.path' && !options.mediamtxApi
          ? 'Add --mediamtx-api-url http://<box>:9997 to confirm from MediaMTX itself'
          : undefined,
      ),
  )
  report.ok = isOk(report.checks)
  report.exitCode = exitCodeOf(report.checks)
  if (report.ok && checks.get('whip.ice')?.status === 'skip') {
    // Nothing failed because nothing was tried: still, nothing was published.
    report.ok = false
    report.exitCode = EXIT.checkFailed
  }
}
