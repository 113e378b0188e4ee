/**
 * The pull of the Calls client (POST tracks/new with remote tracks), in both modes: with the subscriber's
 * offer Calls answers directly (client-offer, flow D); without it Calls offers and the `answer` callback
 * completes the exchange with /renegotiate (SFU-offer, flow C). While the publisher is not sending yet
 * (`not_found_track_error` / `empty_track_error`) the pull is repeated, within a bounded wait.
 */
import type {PullOptions, PullResult, RemoteTrack} from './calls-client.js'
import {PUBLISHER_PENDING_CODES} from './calls-errors.js'
import type {CallsRequester} from './calls-request.js'
import type {
  RenegotiateResponse,
  SessionDescription,
  TrackObject,
  TrackResult,
  TracksRequest,
  TracksResponse,
} from './calls-types.js'
import {backoffDelay} from './retry.js'

/** `POST sessions/{id}/tracks/new`, not repeated on a timeout (it would publish or pull twice). */
export function tracksNew(
  requester: CallsRequester,
  sessionId: string,
  body: TracksRequest,
  signal: AbortSignal | undefined,
): Promise<TracksResponse> {
  return requester.send<TracksResponse>({
    method: 'POST',
    path: `sessions/${encodeURIComponent(sessionId)}/tracks/new`,
    body,
    idempotent: false,
    signal,
  })
}

/** `PUT sessions/{id}/renegotiate` with the endpoint's answer to the SFU's offer. */
export function renegotiate(
  requester: CallsRequester,
  sessionId: string,
  answer: SessionDescription,
  signal: AbortSignal | undefined,
): Promise<RenegotiateResponse> {
  return requester.send<RenegotiateResponse>({
    method: 'PUT',
    path: `sessions/${encodeURIComponent(sessionId)}/renegotiate`,
    body: {sessionDescription: answer},
    idempotent: false,
    signal,
  })
}

/** Pulls `options.tracks` into the session; the caller holds the session's queue. */
export async function pull(requester: CallsRequester, sessionId: string, options: PullOptions): Promise<PullResult> {
  const step = 'POST tracks/new (pull)'
  const budget = options.waitForPublisherMs ?? requester.policy.trackWaitMs
  const pulled: TrackResult[] = []
  let remaining = options.tracks
  let waited = 0
  const result: PullResult = {tracks: pulled, requiresImmediateRenegotiation: false, attempts: 0}
  for (;;) {
    result.attempts += 1
    const attempts = result.attempts
    const body: TracksRequest = {tracks: remaining.map(remoteTrackObject)}
    if (options.offer !== undefined) body.sessionDescription = options.offer
    const response = await tracksNew(requester, sessionId, body, options.signal)
    const items = response.tracks ?? []
    const failed = items.filter((t) => t.errorCode !== undefined)
    pulled.push(...items.filter((t) => t.errorCode === undefined))
    if (options.offer !== undefined) {
      // Client-offer mode: Calls answers the whole offer; a retry re-sends the same offer.
      if (failed.length === items.length && publisherPending(failed) && waited < budget) {
        waited += await waitForPublisher(requester, attempts, budget - waited, failed, options.signal)
        continue
      }
      requester.throwOnTrackErrors(step, failed, response)
      result.answer = requester.requireDescription(step, response, 'answer')
      return result
    }
    if (response.requiresImmediateRenegotiation) {
      const offer = requester.requireDescription(step, response, 'offer')
      result.offer = offer
      if (options.answer === undefined) {
        result.requiresImmediateRenegotiation = true
        requester.throwOnTrackErrors(step, failed, response)
        return result
      }
      const answer = await options.answer(offer, pulled)
      await renegotiate(requester, sessionId, answer, options.signal)
      result.answer = answer
    }
    if (failed.length === 0) return result
    if (publisherPending(failed) && waited < budget) {
      remaining = remaining.filter((t) =>
        failed.some((f) => f.trackName === t.trackName && f.sessionId === t.sessionId),
      )
      if (remaining.length === 0) remaining = options.tracks
      waited += await waitForPublisher(requester, attempts, budget - waited, failed, options.signal)
      continue
    }
    requester.throwOnTrackErrors(step, failed, response)
    return result
  }
}

function publisherPending(failed: TrackResult[]): boolean {
  return failed.length > 0 && failed.every((t) => PUBLISHER_PENDING_CODES.has(t.errorCode ?? ''))
}

/** Sleeps a backoff delay (at most `left`) before the next pull; returns the delay. */
async function waitForPublisher(
  requester: CallsRequester,
  attempt: number,
  left: number,
  failed: TrackResult[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const delay = Math.max(1, Math.min(left, backoffDelay(attempt, requester.policy, requester.random)))
  requester.log({
    level: 'debug',
    event: 'calls.pull.wait',
    msg: `publisher not ready (${failed[0]?.errorCode}); retrying in ${delay} ms`,
    attempt,
    delayMs: delay,
    errorCode: failed[0]?.errorCode,
  })
  await requester.sleep(delay, signal)
  return delay
}

function remoteTrackObject(track: RemoteTrack): TrackObject {
  const object: TrackObject = {location: 'remote', sessionId: track.sessionId, trackName: track.trackName}
  if (track.mid !== undefined) object.mid = track.mid
  if (track.kind !== undefined) object.kind = track.kind
  if (track.simulcast !== undefined) object.simulcast = track.simulcast
  return object
}
