/**
 * The media flows behind `tracks/new` (docs/calls-api.md "Connection patterns the emulator serves"): push with an
 * offer (A), push with autoDiscover (B), pull with an SFU offer (C) and with a client offer (D), SFU-offered local
 * tracks and bidirectional transceivers (E/F).
 */
import {randomUUID} from 'node:crypto'
import type {RTCRtpTransceiver} from 'werift'
import type {SessionDescription, TrackObject, TrackResult, TracksResponse} from '../../calls/calls-types.js'
import {offerCodecs, offerExtensions, sameCodec} from './codecs.js'
import {
  type HandlerContext,
  kindOf,
  lookup,
  pulledResult,
  sectionOf,
  simulcastOf,
  syncDirections,
  trackError,
} from './handlers.js'
import type {EmulatedSession, TrackRecord} from './sfu-session.js'

/** Flows A and B: the endpoint offers its sending tracks; the SFU answers. */
export async function publishFromOffer(
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

/** Flow D: the endpoint offers receiving sections; the SFU answers with the publications on them. */
export async function pullWithClientOffer(
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

/** Flow C (and pulls into bidirectional transceivers): the SFU offers; the endpoint answers with /renegotiate. */
export async function pullWithSfuOffer(
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
export async function publishWithoutOffer(
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
