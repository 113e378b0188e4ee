/**
 * The emulated endpoints (docs/calls-api.md "Connection patterns the emulator serves"): each decodes its body strictly,
 * checks the semantic rules, takes the session's lock (406 on overlap), and drives the session's werift
 * peer. Flows: push with an offer (A), push with autoDiscover (B), pull with an SFU offer (C) and with a
 * client offer (D), SFU-offered local tracks and bidirectional transceivers (E/F), forced and negotiated
 * close, update, and session state.
 */
import {randomUUID} from 'node:crypto'
import type {RTCRtpTransceiver} from 'werift'
import type {
  CloseTracksResponse,
  GetSessionStateResponse,
  NewSessionResponse,
  SessionDescription,
  SimulcastPreference,
  TrackObject,
  TrackResult,
  TracksResponse,
  UpdateTracksResponse,
} from '../../calls/calls-types.js'
import type {Log} from '../../util/log.js'
import {ApiError, decodingError, invalidParams, overlapping} from './api-error.js'
import {offerCodecs, offerExtensions, sameCodec} from './codecs.js'
import {decodeBody} from './request-validate.js'
import type {SdpSummary} from './sdp.js'
import type {EmulatedSession, TrackRecord} from './sfu-session.js'
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

const ok = (body: unknown, status = 200): HandlerResult => ({status, body})

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

function kindOf(value: string | undefined, where: string): 'audio' | 'video' | undefined {
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

interface CheckedTracks {
  local: TrackObject[]
  remote: TrackObject[]
}

function checkTracks(ctx: HandlerContext, tracks: TrackObject[], offer: boolean): CheckedTracks {
  if (tracks.length > ctx.state.limits.maxTracksPerRequest) {
    throw invalidParams(`Expecting at most ${ctx.state.limits.maxTracksPerRequest} tracks in the request`)
  }
  const local: TrackObject[] = []
  const remote: TrackObject[] = []
  const mids = new Set<string>()
  tracks.forEach((track, i) => {
    const where = `tracks[${i}]`
    kindOf(track.kind, where)
    if (track.mid !== undefined) {
      if (track.mid.length === 0) throw invalidParams(`${where}.mid is empty`)
      if (mids.has(track.mid)) throw invalidParams(`${where}.mid ${JSON.stringify(track.mid)} appears twice`)
      mids.add(track.mid)
    }
    if (track.location === 'local') {
      if (!track.trackName) throw invalidParams(`${where}.trackName is required`)
      if (offer && track.mid === undefined)
        throw invalidParams(`${where}.mid is required when publishing from an offer`)
      if (!offer && track.mid === undefined && track.kind === undefined) {
        throw invalidParams(`${where}.kind is required when the SFU generates the offer`)
      }
      if (track.sessionId !== undefined) throw invalidParams(`${where}.sessionId is only for remote tracks`)
      local.push(track)
    } else if (track.location === 'remote') {
      if (!track.sessionId) throw invalidParams(`${where}.sessionId is required for remote tracks`)
      if (!track.trackName) throw invalidParams(`${where}.trackName is required`)
      if (track.bidirectionalMediaStream) throw invalidParams(`${where}.bidirectionalMediaStream is for local tracks`)
      remote.push(track)
    } else {
      throw invalidParams(`${where}.location is required ("local" or "remote")`)
    }
  })
  if (local.length > 0 && remote.length > 0) {
    throw invalidParams('Keep every entry of one request local, or every entry remote')
  }
  return {local, remote}
}

function checkSessionTrackLimit(ctx: HandlerContext, session: EmulatedSession, adding: number): void {
  if (session.tracks.size + adding > ctx.state.limits.maxTracksPerSession) {
    throw invalidParams(`A session holds at most ${ctx.state.limits.maxTracksPerSession} tracks in this emulator`)
  }
}

/** `POST sessions/{id}/tracks/new`. */
export async function tracksNew(ctx: HandlerContext, session: EmulatedSession, text: string): Promise<HandlerResult> {
  const body = decodeBody('TracksRequest', text)
  const offer = body.sessionDescription
  const tracks = body.tracks ?? []
  const {local, remote} = checkTracks(ctx, tracks, offer !== undefined)
  if (offer === undefined && tracks.length === 0) {
    throw invalidParams(
      body.autoDiscover
        ? 'autoDiscover needs a sessionDescription (an offer)'
        : 'Nothing to do: no tracks and no sessionDescription',
    )
  }
  if (offer !== undefined && offer.type !== 'offer') {
    throw new ApiError(400, 'invalid_session_description', 'tracks/new takes an offer; send answers with /renegotiate')
  }
  if (body.autoDiscover && offer === undefined)
    throw invalidParams('autoDiscover needs a sessionDescription (an offer)')
  return mutate(session, async () => {
    if (session.pendingOffer) throw overlapping(session.id)
    checkSessionTrackLimit(ctx, session, tracks.length)
    await ensureConnected(ctx, session)
    if (remote.length > 0) await ctx.state.awaitPublications(session.appId, remote, ctx.publisherWaitMs)
    let response: TracksResponse
    if (offer !== undefined && remote.length > 0) response = await pullWithClientOffer(ctx, session, offer, remote)
    else if (offer !== undefined)
      response = await publishFromOffer(session, offer, local, body.autoDiscover === true, ctx)
    else if (remote.length > 0) response = await pullWithSfuOffer(ctx, session, remote)
    else response = await publishWithoutOffer(ctx, session, local)
    return ok(response)
  })
}

/**
 * Directions before an answer: published → recvonly (sendrecv if also pulled into), pulled → sendonly;
 * media the endpoint sends without a track name yet is received (recvonly), the rest is inactive.
 */
function syncDirections(session: EmulatedSession): void {
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

function sectionOf(summary: SdpSummary, mid: string) {
  return summary.sections.find((s) => s.mid === mid)
}

function trackError(track: TrackObject, errorCode: string, errorDescription: string): TrackResult {
  const result: TrackResult = {}
  if (track.location === 'remote' && track.sessionId !== undefined) result.sessionId = track.sessionId
  if (track.trackName !== undefined) result.trackName = track.trackName
  result.mid = track.location === 'remote' ? '' : (track.mid ?? '')
  result.errorCode = errorCode
  result.errorDescription = errorDescription
  return result
}

/** Flows A and B: the endpoint offers its sending tracks; the SFU answers. */
async function publishFromOffer(
  session: EmulatedSession,
  offer: SessionDescription,
  local: TrackObject[],
  autoDiscover: boolean,
  ctx: HandlerContext,
): Promise<TracksResponse> {
  const summary = await session.applyOffer(offer)
  const results: TrackResult[] = []
  const named = new Set(local.map((t) => t.mid))
  for (const track of local) {
    const mid = track.mid as string
    const section = sectionOf(summary, mid)
    const transceiver = session.transceiverByMid(mid)
    if (!section || section.kind === 'application' || !transceiver) {
      results.push(
        trackError(track, 'invalid_params', `The offer has no media section with mid ${JSON.stringify(mid)}`),
      )
      continue
    }
    if (section.direction !== 'sendonly' && section.direction !== 'sendrecv') {
      results.push(
        trackError(track, 'invalid_params', `Media section ${mid} does not send (it is ${section.direction})`),
      )
      continue
    }
    const existing = session.publications.get(track.trackName as string)
    if (existing && !existing.closed && existing.mid !== mid) {
      results.push(
        trackError(track, 'invalid_params', `Track name ${track.trackName} is already published by this session`),
      )
      continue
    }
    if (!session.tracks.get(mid) || session.statusOf(session.tracks.get(mid) as TrackRecord) !== 'active') {
      session.publish(track.trackName as string, transceiver, ctx.state.counters)
    }
    results.push({trackName: track.trackName as string, mid})
  }
  if (autoDiscover) {
    for (const section of summary.sections) {
      if (section.kind === 'application' || named.has(section.mid)) continue
      if (section.direction !== 'sendonly' && section.direction !== 'sendrecv') continue
      const known = session.tracks.get(section.mid)
      if (known && session.statusOf(known) === 'active') continue
      const transceiver = session.transceiverByMid(section.mid)
      if (!transceiver) continue
      const record = session.publish(randomUUID(), transceiver, ctx.state.counters)
      results.push({trackName: record.trackName, mid: section.mid, kind: record.kind})
    }
  }
  syncDirections(session)
  const answer = await session.createAnswer()
  return {requiresImmediateRenegotiation: false, tracks: results, sessionDescription: answer}
}

function lookup(ctx: HandlerContext, session: EmulatedSession, track: TrackObject) {
  return ctx.state.findPublication(session.appId, track.sessionId as string, track.trackName as string)
}

/** Flow D: the endpoint offers receiving sections; the SFU answers with the publications on them. */
async function pullWithClientOffer(
  ctx: HandlerContext,
  session: EmulatedSession,
  offer: SessionDescription,
  remote: TrackObject[],
): Promise<TracksResponse> {
  const lookups = remote.map((track) => lookup(ctx, session, track))
  if (lookups.every((found) => !('publication' in found))) {
    // Nothing to pull: leave the offer unanswered, so the endpoint can send it again once the publisher is up.
    return {
      requiresImmediateRenegotiation: false,
      tracks: remote.map((track, i) => {
        const found = lookups[i] as {errorCode: string; errorDescription: string}
        return trackError(track, found.errorCode, found.errorDescription)
      }),
    }
  }
  const summary = await session.applyOffer(offer)
  const results: TrackResult[] = []
  const assigned = new Set<string>()
  for (const track of remote) {
    const found = lookup(ctx, session, track)
    if (!('publication' in found)) {
      results.push(trackError(track, found.errorCode, found.errorDescription))
      continue
    }
    const publication = found.publication
    const free = (mid: string) => {
      const record = session.tracks.get(mid)
      return !assigned.has(mid) && (!record || session.statusOf(record) !== 'active')
    }
    const section = track.mid
      ? sectionOf(summary, track.mid)
      : summary.sections.find(
          (s) =>
            s.kind === publication.kind && (s.direction === 'recvonly' || s.direction === 'sendrecv') && free(s.mid),
        )
    const transceiver = section ? session.transceiverByMid(section.mid) : undefined
    if (!section || !transceiver || section.kind !== publication.kind || !free(section.mid)) {
      results.push(
        trackError(
          track,
          'invalid_params',
          `The offer has no free receiving ${publication.kind} section for this track`,
        ),
      )
      continue
    }
    const usable = transceiver.codecs.filter((codec) => publication.transceiver.codecs.some((p) => sameCodec(p, codec)))
    if (usable.length === 0) {
      results.push(
        trackError(
          track,
          'invalid_session_description',
          `The offer has none of the publisher's codecs for ${section.mid}`,
        ),
      )
      continue
    }
    transceiver.codecs = usable
    assigned.add(section.mid)
    session.subscribe(transceiver, publication, ctx.state.counters, simulcastOf(track))
    results.push(pulledResult(track, section.mid))
  }
  syncDirections(session)
  const answer = await session.createAnswer()
  return {requiresImmediateRenegotiation: false, tracks: results, sessionDescription: answer}
}

function pulledResult(track: TrackObject, mid: string): TrackResult {
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

/** Flow C (and pulls into bidirectional transceivers): the SFU offers; the endpoint answers with /renegotiate. */
async function pullWithSfuOffer(
  ctx: HandlerContext,
  session: EmulatedSession,
  remote: TrackObject[],
): Promise<TracksResponse> {
  const pc = session.ensurePeer()
  const results: (TrackResult | undefined)[] = []
  const pending: {index: number; track: TrackObject; transceiver: RTCRtpTransceiver}[] = []
  for (const [index, track] of remote.entries()) {
    const found = lookup(ctx, session, track)
    if (!('publication' in found)) {
      results[index] = trackError(track, found.errorCode, found.errorDescription)
      continue
    }
    const publication = found.publication
    if (track.mid?.startsWith('#')) {
      const name = track.mid.slice(1)
      const target = [...session.tracks.values()].find(
        (r) => r.location === 'local' && r.trackName === name && session.statusOf(r) === 'active',
      )
      if (!target?.bidirectional || target.kind !== publication.kind) {
        results[index] = trackError(
          track,
          'invalid_params',
          `${track.mid} does not name an active bidirectional ${publication.kind} track of this session`,
        )
        continue
      }
      session.subscribe(target.transceiver, publication, ctx.state.counters, {})
      results[index] = pulledResult(track, target.mid)
      continue
    }
    if (track.mid !== undefined) {
      results[index] = trackError(track, 'invalid_params', 'A mid is only valid with an offer, or as #trackName')
      continue
    }
    const codecs = offerCodecs(publication.transceiver.codecs)
    if (codecs.length === 0) {
      results[index] = trackError(track, 'not_found_track_error', 'The publication has no media codec')
      continue
    }
    const transceiver = pc.addTransceiver(publication.kind, {direction: 'sendonly'})
    transceiver.codecs = codecs
    transceiver.headerExtensions = offerExtensions(publication.kind)
    pending.push({index, track, transceiver})
  }
  let offer: SessionDescription | undefined
  if (pending.length > 0) {
    offer = await session.createOffer()
    for (const {index, track, transceiver} of pending) {
      const found = lookup(ctx, session, track)
      const mid = transceiver.mid ?? ''
      if ('publication' in found) {
        session.subscribe(transceiver, found.publication, ctx.state.counters, simulcastOf(track))
        results[index] = pulledResult(track, mid)
      } else {
        results[index] = trackError(track, found.errorCode, found.errorDescription)
      }
    }
  }
  const response: TracksResponse = {
    requiresImmediateRenegotiation: offer !== undefined,
    tracks: results.filter((r): r is TrackResult => r !== undefined),
  }
  if (offer) response.sessionDescription = offer
  return response
}

/** Local tracks without an offer: the SFU offers new receiving transceivers (flow E), or names existing ones. */
async function publishWithoutOffer(
  ctx: HandlerContext,
  session: EmulatedSession,
  local: TrackObject[],
): Promise<TracksResponse> {
  const pc = session.ensurePeer()
  const results: (TrackResult | undefined)[] = []
  const pending: {index: number; track: TrackObject; transceiver: RTCRtpTransceiver}[] = []
  for (const [index, track] of local.entries()) {
    const name = track.trackName as string
    const existing = session.publications.get(name)
    if (existing && !existing.closed) {
      results[index] = trackError(track, 'invalid_params', `Track name ${name} is already published by this session`)
      continue
    }
    if (track.mid !== undefined) {
      const transceiver = session.transceiverByMid(track.mid)
      const record = session.tracks.get(track.mid)
      const receiving =
        transceiver && (transceiver.currentDirection === 'recvonly' || transceiver.currentDirection === 'sendrecv')
      if (!transceiver || !receiving || (record && session.statusOf(record) === 'active')) {
        results[index] = trackError(track, 'invalid_params', `mid ${track.mid} is not a free receiving transceiver`)
        continue
      }
      session.publish(name, transceiver, ctx.state.counters)
      results[index] = {trackName: name, mid: track.mid}
      continue
    }
    const kind = kindOf(track.kind, `tracks[${index}]`) as 'audio' | 'video'
    const transceiver = pc.addTransceiver(kind, {direction: track.bidirectionalMediaStream ? 'sendrecv' : 'recvonly'})
    transceiver.headerExtensions = offerExtensions(kind)
    pending.push({index, track, transceiver})
  }
  let offer: SessionDescription | undefined
  if (pending.length > 0) {
    offer = await session.createOffer()
    for (const {index, track, transceiver} of pending) {
      const record = session.publish(
        track.trackName as string,
        transceiver,
        ctx.state.counters,
        track.bidirectionalMediaStream === true,
      )
      const result: TrackResult = {trackName: record.trackName, mid: record.mid}
      if (track.kind !== undefined) result.kind = track.kind
      if (track.bidirectionalMediaStream) result.bidirectionalMediaStream = true
      results[index] = result
    }
  }
  const response: TracksResponse = {
    requiresImmediateRenegotiation: offer !== undefined,
    tracks: results.filter((r): r is TrackResult => r !== undefined),
  }
  if (offer) response.sessionDescription = offer
  return response
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

/** `PUT sessions/{id}/tracks/update`: point receiving transceivers at other publications. */
export async function tracksUpdate(
  ctx: HandlerContext,
  session: EmulatedSession,
  text: string,
): Promise<HandlerResult> {
  const body = decodeBody('UpdateTracksRequest', text)
  if (body.tracks.length > ctx.state.limits.maxTracksPerRequest) {
    throw invalidParams(`Expecting at most ${ctx.state.limits.maxTracksPerRequest} tracks in the request`)
  }
  return mutate(session, async () => {
    if (session.pendingOffer) throw overlapping(session.id)
    await ensureConnected(ctx, session)
    await ctx.state.awaitPublications(session.appId, body.tracks, ctx.publisherWaitMs)
    const results: TrackResult[] = []
    for (const [i, track] of body.tracks.entries()) {
      const where = `tracks[${i}]`
      if (track.location !== 'remote' || !track.sessionId || !track.trackName || !track.mid) {
        results.push(
          trackError(track, 'invalid_params', `${where}: location "remote", mid, sessionId and trackName are required`),
        )
        continue
      }
      const record = session.tracks.get(track.mid)
      if (!record?.subscription || record.status !== 'active') {
        results.push(
          trackError(track, 'update_track_error', `mid ${track.mid} is not a receiving track of this session`),
        )
        continue
      }
      const found = lookup(ctx, session, track)
      if (!('publication' in found)) {
        results.push({...trackError(track, found.errorCode, found.errorDescription), mid: track.mid})
        continue
      }
      const publication = found.publication
      const {simulcast} = simulcastOf(track)
      if (simulcast !== undefined && publication.rids.length === 0) {
        results.push({
          ...trackError(track, 'update_track_error', 'The track is not configured for simulcast'),
          mid: track.mid,
        })
        continue
      }
      if (publication.kind !== record.kind || !record.subscription.canCarry(publication)) {
        results.push({
          ...trackError(
            track,
            'update_track_error',
            `The transceiver on mid ${track.mid} cannot carry this track (kind or codec)`,
          ),
          mid: track.mid,
        })
        continue
      }
      if (record.subscription.publication !== publication) record.subscription.switchTo(publication)
      if (simulcast !== undefined) {
        record.subscription.preference = simulcast
        record.simulcast = simulcast
      }
      record.trackName = publication.trackName
      record.sessionId = publication.ownerId
      const result: TrackResult = {mid: track.mid, sessionId: publication.ownerId, trackName: publication.trackName}
      if (simulcast !== undefined) result.simulcast = simulcast
      results.push(result)
    }
    const response: UpdateTracksResponse = {requiresImmediateRenegotiation: false, tracks: results}
    return ok(response)
  })
}

/** `PUT sessions/{id}/tracks/close`, forced or negotiated. */
export async function tracksClose(
  _ctx: HandlerContext,
  session: EmulatedSession,
  text: string,
): Promise<HandlerResult> {
  const body = decodeBody('CloseTracksRequest', text)
  if (body.tracks.length === 0) throw decodingError('tracks: at least one track is required')
  if (!body.force && body.sessionDescription === undefined) {
    throw invalidParams('A negotiated close (force: false) needs the endpoint offer in sessionDescription')
  }
  if (!body.force && body.sessionDescription?.type !== 'offer') {
    throw new ApiError(400, 'invalid_session_description', 'A negotiated close takes the endpoint offer')
  }
  return mutate(session, async () => {
    if (!body.force && session.pendingOffer) throw overlapping(session.id)
    if (!body.force) await session.applyOffer(body.sessionDescription as SessionDescription)
    const tracks: CloseTracksResponse['tracks'] = body.tracks.map(({mid}) =>
      session.closeTrack(mid)
        ? {mid}
        : {mid, errorCode: 'close_track_error', errorDescription: "Track doesn't exist or was already closed"},
    )
    const response: CloseTracksResponse = {requiresImmediateRenegotiation: false, tracks}
    if (!body.force) {
      syncDirections(session)
      response.sessionDescription = await session.createAnswer()
    }
    return ok(response)
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
