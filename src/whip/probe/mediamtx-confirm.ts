/** Step 8b, MediaMTX's confirmation: its API shows our session as the path's source, with bytes arriving. */
import {MediamtxApi} from '../../mediamtx/api-client.js'
import type {CheckFailure, CheckOutcome} from '../../report/check.js'
import {sleep} from '../../util/abort.js'
import type {WhipSession} from '../whip-client.js'
import type {MediamtxConfirmation, WhipProbeOptions} from './probe-types.js'

export interface ApiResult {
  confirmation: MediamtxConfirmation
  outcome: CheckOutcome | CheckFailure
  summary: string
}

/** Polls MediaMTX's API: path ready with our session as source, bytes growing, the session's selected pair. */
export async function confirmWithMediamtx(
  target: NonNullable<WhipProbeOptions['mediamtxApi']>,
  name: string,
  session: WhipSession,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  durationMs: number,
): Promise<ApiResult> {
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
  return judge(confirmation, name, session, timeoutMs)
}

/** The check's outcome from what MediaMTX showed. */
function judge(confirmation: MediamtxConfirmation, name: string, session: WhipSession, timeoutMs: number): ApiResult {
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
