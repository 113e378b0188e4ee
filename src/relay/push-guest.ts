/** The guest's leg into Calls, the same in both modes: a new Calls session that publishes every track of its offer. */
import type {CallsClient} from '../calls/calls-client.js'
import {R58Error} from '../errors.js'
import {offeredTracks} from './relay-session.js'

export interface PushedGuest {
  sessionId: string
  /** Calls' answer, for the guest. */
  answer: string
  /** The guest's tracks as published: where a pull finds them, and the mids to close them by. */
  source: {sessionId: string; tracks: {trackName: string; kind: 'audio' | 'video'}[]}
  push: {sessionId: string; mids: string[]}
}

export async function pushGuestOffer(calls: CallsClient, path: string, offer: string): Promise<PushedGuest> {
  const offered = offeredTracks(offer)
  if (offered.length === 0) throw new R58Error('E_PROTOCOL', 'the offer has no audio or video track')
  const {sessionId} = await calls.newSession({correlationId: `r58:${path}`})
  const pushed = await calls.pushTracks(sessionId, {
    offer: {type: 'offer', sdp: offer},
    tracks: offered.map(({mid, trackName}) => ({mid, trackName})),
  })
  return {
    sessionId,
    answer: pushed.answer.sdp,
    source: {sessionId, tracks: offered.map(({trackName, kind}) => ({trackName, kind}))},
    push: {sessionId, mids: offered.map((t) => t.mid)},
  }
}
