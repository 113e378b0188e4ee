/**
 * The emulated endpoints (docs/calls-api.md "Connection patterns the emulator serves"): each decodes its body strictly,
 * checks the semantic rules, takes the session's lock (406 on overlap), and drives the session's werift
 * peer. This module holds what every endpoint shares and the session endpoints (new, get, renegotiate); the
 * track endpoints are in sfu-tracks.ts (their media flows in sfu-track-flows.ts), the data channels in
 * datachannels.ts.
 */
import type {
  GetSessionStateResponse,
  NewSessionResponse,
  SessionDescription,
  SimulcastPreference,
  TrackObject,
  TrackResult,
} from '../../calls/calls-types.js'
import type {Log} from '../../util/log.js'
import {ApiError, decodingError, invalidParams, overlapping} from './api-error.js'
import {decodeBody} from './request-validate.js'
import type {SdpSummary} from './sdp.js'
import type {EmulatedSession} from './sfu-session.js'
import type {EmulatorState} from './state.js'

export interface HandlerContext {
  state: EmulatorState
  /** How long a mutation waits for a negotiated session to connect before 425. */
  connectWaitMs: number
  /** How long a pull waits for a named publication's first packet before a per-track error. */
  publisherWaitMs: number
  log: Log
}

export interface HandlerResult {
  status: number
  body: unknown
}

export const ok = (body: unknown, status = 200): HandlerResult => ({status, body})

/** Runs `work` holding the session's mutation lock. */
export async function mutate<T>(session: EmulatedSession, work: () => Promise<T>): Promise<T> {
  if (session.busy) throw overlapping(session.id)
  session.busy = true
  try {
    return await work()
  } finally {
    session.busy = false
  }
}

/** Operations after the first exchange need the connection (Calls waits up to 5 s, then 425). */
export async function ensureConnected(ctx: HandlerContext, session: EmulatedSession): Promise<void> {
  if (!session.negotiated || session.connected) return
  if (await session.waitConnected(ctx.connectWaitMs)) return
  throw new ApiError(
    425,
    'session_error',
    `Session ${session.id} is not connected: apply the previous answer and wait for the connection before further requests`,
  )
}

export function kindOf(value: string | undefined, where: string): 'audio' | 'video' | undefined {
  if (value === undefined) return undefined
  if (value !== 'audio' && value !== 'video') throw invalidParams(`${where}.kind must be "audio" or "video"`)
  return value
}

/** `POST sessions/new`. */
export async function newSession(
  ctx: HandlerContext,
  appId: string,
  query: URLSearchParams,
  text: string,
): Promise<HandlerResult> {
  const thirdparty = query.get('thirdparty')
  if (thirdparty !== null && thirdparty !== 'true' && thirdparty !== 'false') {
    throw decodingError(`query thirdparty: expected true or false, got ${JSON.stringify(thirdparty.slice(0, 20))}`)
  }
  const correlationId = query.get('correlationId')
  if (correlationId !== null && correlationId.length > 256) throw invalidParams('correlationId is longer than 256')
  const body = decodeBody('NewSessionRequest', text)
  const session = ctx.state.create(appId, thirdparty === 'true')
  ctx.log({
    level: 'info',
    event: 'calls.emulator.session.new',
    msg: `session ${session.id} created`,
    sessionId: session.id,
    ...(correlationId !== null && {correlationId}),
    ...(thirdparty === 'true' && {thirdparty: true}),
  })
  const response: NewSessionResponse = {sessionId: session.id}
  if (body.sessionDescription !== undefined) {
    try {
      response.sessionDescription = await mutate(session, async () => {
        await session.applyOffer(body.sessionDescription as SessionDescription)
        syncDirections(session)
        return session.createAnswer()
      })
    } catch (error) {
      ctx.state.expire(session, 'offer rejected at creation')
      throw error
    }
  }
  return ok(response, 201)
}

/**
 * Directions before an answer: published → recvonly (sendrecv if also pulled into), pulled → sendonly;
 * media the endpoint sends without a track name yet is received (recvonly), the rest is inactive.
 */
export function syncDirections(session: EmulatedSession): void {
  for (const transceiver of session.pc?.getTransceivers() ?? []) {
    const record = transceiver.mid === null ? undefined : session.tracks.get(transceiver.mid)
    let direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' = 'inactive'
    if (record && session.statusOf(record) === 'active') {
      if (record.location === 'remote') direction = 'sendonly'
      else direction = record.bidirectional || record.subscription ? 'sendrecv' : 'recvonly'
    } else if (!record && (transceiver.offerDirection === 'recvonly' || transceiver.offerDirection === 'sendrecv')) {
      direction = 'recvonly'
    }
    if (transceiver.direction !== direction) transceiver.setDirection(direction)
  }
}

export function sectionOf(summary: SdpSummary, mid: string) {
  return summary.sections.find((s) => s.mid === mid)
}

export function trackError(track: TrackObject, errorCode: string, errorDescription: string): TrackResult {
  const result: TrackResult = {}
  if (track.location === 'remote' && track.sessionId !== undefined) result.sessionId = track.sessionId
  if (track.trackName !== undefined) result.trackName = track.trackName
  result.mid = track.location === 'remote' ? '' : (track.mid ?? '')
  result.errorCode = errorCode
  result.errorDescription = errorDescription
  return result
}

export function lookup(ctx: HandlerContext, session: EmulatedSession, track: TrackObject) {
  return ctx.state.findPublication(session.appId, track.sessionId as string, track.trackName as string)
}

export function pulledResult(track: TrackObject, mid: string): TrackResult {
  const result: TrackResult = {sessionId: track.sessionId as string, trackName: track.trackName as string, mid}
  const {simulcast} = simulcastOf(track)
  if (simulcast !== undefined) result.simulcast = simulcast
  return result
}

/**
 * A track's simulcast preference in the current schema's names. `ridUnavailableStrategy` (values
 * `nextPriority`, `none`) is the name a draft of the API used for `ridNotAvailable`; it is read as such.
 */
export function simulcastOf(track: TrackObject): {simulcast?: SimulcastPreference} {
  const given = track.simulcast as (SimulcastPreference & {ridUnavailableStrategy?: string}) | undefined
  if (given === undefined) return {}
  const {ridUnavailableStrategy, ...preference} = given
  if (preference.ridNotAvailable === undefined && ridUnavailableStrategy !== undefined) {
    preference.ridNotAvailable = ridUnavailableStrategy === 'none' ? 'none' : 'asciibetical'
  }
  return {simulcast: preference}
}

/** `PUT sessions/{id}/renegotiate`: the endpoint's answer to the SFU's offer. */
export async function renegotiate(
  _ctx: HandlerContext,
  session: EmulatedSession,
  text: string,
): Promise<HandlerResult> {
  const body = decodeBody('RenegotiateRequest', text)
  return mutate(session, async () => {
    await session.applyAnswer(body.sessionDescription)
    return ok({})
  })
}

/** `GET sessions/{id}`. */
export function getSession(
  session: EmulatedSession,
  dataChannels: GetSessionStateResponse['dataChannels'],
): HandlerResult {
  const tracks = [...session.tracks.values()].map((record) => ({
    location: record.location,
    mid: record.mid,
    ...(record.location === 'remote' && record.sessionId !== undefined && {sessionId: record.sessionId}),
    trackName: record.trackName,
    status: session.statusOf(record),
  }))
  const response: GetSessionStateResponse = {tracks, dataChannels: dataChannels ?? []}
  return ok(response)
}
