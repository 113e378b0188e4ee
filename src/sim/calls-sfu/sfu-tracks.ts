/**
 * The track endpoints of the emulated API: `tracks/new` (checks, then one of the flows of sfu-track-flows.ts),
 * `tracks/update` and `tracks/close`.
 */
import type {
  CloseTracksResponse,
  SessionDescription,
  TrackObject,
  TrackResult,
  TracksResponse,
  UpdateTracksResponse,
} from '../../calls/calls-types.js'
import {ApiError, decodingError, invalidParams, overlapping} from './api-error.js'
import {
  ensureConnected,
  type HandlerContext,
  type HandlerResult,
  kindOf,
  lookup,
  mutate,
  ok,
  simulcastOf,
  syncDirections,
  trackError,
} from './handlers.js'
import {decodeBody} from './request-validate.js'
import type {EmulatedSession} from './sfu-session.js'
import {publishFromOffer, publishWithoutOffer, pullWithClientOffer, pullWithSfuOffer} from './sfu-track-flows.js'

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
