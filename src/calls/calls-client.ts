/**
 * A typed client of the Cloudflare Calls (Realtime SFU) HTTPS API (docs/calls-api.md).
 *
 * - Mutations of one session (tracks/new, renegotiate, tracks/update, tracks/close) run one at a time,
 *   because Calls answers 406 to overlapping ones; `pullTracks` with an `answer` callback keeps the session
 *   to itself until its /renegotiate is accepted.
 * - Every response is checked: HTTP status, top-level `errorCode`, and each item's `errorCode`.
 * - 429, 5xx, 425 and retryable error codes are retried with bounded, jittered backoff; pulls retry
 *   `not_found_track_error` / `empty_track_error` for a bounded time while the publisher comes up.
 * - 410 `session_error` surfaces as a CallsError with `failure: 'session_gone'` (see isSessionGone).
 * - The app secret goes into the Authorization header and nowhere else: not into logs, errors or URLs.
 */
import type {Dispatcher} from 'undici'
import {R58Error} from '../errors.js'
import type {Log} from '../util/log.js'
import {pull, renegotiate, tracksNew} from './calls-pull.js'
import {CallsRequester} from './calls-request.js'
import type {
  CloseTracksResponse,
  DataChannelObject,
  DataChannelResult,
  DataChannelsResponse,
  EstablishDataChannelsRequest,
  EstablishDataChannelsResponse,
  GetSessionStateResponse,
  NewSessionResponse,
  RenegotiateResponse,
  SessionDescription,
  SimulcastPreference,
  TrackResult,
  TracksRequest,
  TracksResponse,
  UpdateTracksRequest,
  UpdateTracksResponse,
} from './calls-types.js'
import {KeyedQueue} from './queue.js'
import type {RetryPolicy} from './retry.js'

export interface CallsClientOptions {
  appId: string
  /** The app secret (bearer token). Never logged, never part of an error. */
  appSecret: string
  /** Default `https://rtc.live.cloudflare.com/v1`; point it at `r58 calls emulate` to work offline. */
  apiBase?: string
  /** Injected transport (tests, proxies). Default: undici's global dispatcher. */
  dispatcher?: Dispatcher
  /** Deadline of each HTTP request. Default 10000 ms. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Injected for tests: how to wait between retries. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Injected for tests: jitter source in [0, 1). */
  random?: () => number
  log?: Log
}

export interface RequestOptions {
  signal?: AbortSignal
}

export interface NewSessionOptions extends RequestOptions {
  /** The session will connect to an ICE-lite peer such as a third-party SFU. */
  thirdparty?: boolean
  /** A diagnostic label (not an idempotency key). */
  correlationId?: string
  /** The older flow: send an offer with the session, get the answer back. */
  sessionDescription?: SessionDescription
}

export interface LocalTrack {
  /** The transceiver's mid in the offer. */
  mid: string
  trackName: string
}

export interface PushOptions extends RequestOptions {
  /** The endpoint's offer (a browser's WHIP offer, or a werift publisher's). */
  offer: SessionDescription
  /** Tracks to publish, one per sending m-section; omit with `autoDiscover`. */
  tracks?: LocalTrack[]
  /** Let Calls name every new sending m-section itself (read the names from the result). */
  autoDiscover?: boolean
}

export interface PushResult {
  /** Calls' answer: apply it (or return it to the WHIP client). No /renegotiate is needed. */
  answer: SessionDescription
  tracks: TrackResult[]
}

export interface RemoteTrack {
  /** The publisher's session id. */
  sessionId: string
  trackName: string
  /** A receiving mid of this session to use (client-offer mode), or `#trackName` of a bidirectional transceiver. */
  mid?: string
  kind?: 'audio' | 'video'
  simulcast?: SimulcastPreference
}

export interface PullOptions extends RequestOptions {
  tracks: RemoteTrack[]
  /** Client-offer mode: the subscriber's offer with receiving m-sections; Calls answers directly. */
  offer?: SessionDescription
  /**
   * SFU-offer mode: answers the SFU's offer (set it remote, create and set the answer, return it). The
   * client sends the answer with /renegotiate before any other request on the session. Without it, the
   * result carries the offer and the caller must call renegotiate() next.
   */
  answer?: (offer: SessionDescription, tracks: TrackResult[]) => Promise<SessionDescription>
  /** How long to keep retrying while the publisher is not sending yet. Default: retry.trackWaitMs. */
  waitForPublisherMs?: number
}

export interface PullResult {
  /** Pulled tracks with their receiving mids on this session. */
  tracks: TrackResult[]
  /** The SFU's last offer (SFU-offer mode). */
  offer?: SessionDescription
  /** Calls' answer (client-offer mode) or the answer sent with /renegotiate (SFU-offer mode). */
  answer?: SessionDescription
  /** True when the caller still has to answer `offer` and call renegotiate(). */
  requiresImmediateRenegotiation: boolean
  /** tracks/new requests made (more than one when the publisher was not ready). */
  attempts: number
}

export type CloseOptions = RequestOptions &
  (
    | {mids: string[]; force?: true}
    | {
        mids: string[]
        force: false
        /** The endpoint's offer with the closed transceivers stopped. */
        offer: SessionDescription
      }
  )

export interface CloseResult {
  tracks: {mid: string; alreadyClosed: boolean}[]
  /** Calls' answer to a negotiated close: apply it. */
  answer?: SessionDescription
}

export class CallsClient {
  readonly appId: string
  readonly apiBase: string
  readonly #requester: CallsRequester
  readonly #queue = new KeyedQueue()

  constructor(options: CallsClientOptions) {
    if (!options.appId) throw new R58Error('E_USAGE', 'CallsClient: appId is empty', {field: 'calls.appId'})
    if (!options.appSecret) throw new R58Error('E_USAGE', 'CallsClient: appSecret is empty', {field: 'calls.appSecret'})
    this.#requester = new CallsRequester(options)
    this.appId = this.#requester.appId
    this.apiBase = this.#requester.apiBase
  }

  /** `POST sessions/new` → 201 `{sessionId}` (plus an answer when an offer was sent). */
  async newSession(options: NewSessionOptions = {}): Promise<NewSessionResponse> {
    const query: Record<string, string> = {}
    if (options.thirdparty !== undefined) query['thirdparty'] = String(options.thirdparty)
    if (options.correlationId !== undefined) query['correlationId'] = options.correlationId
    const body = options.sessionDescription === undefined ? undefined : {sessionDescription: options.sessionDescription}
    const response = await this.#requester.send<NewSessionResponse>({
      method: 'POST',
      path: 'sessions/new',
      query,
      body,
      // Repeating creates another (unused) session, which expires on its own: safe.
      idempotent: body === undefined,
      signal: options.signal,
    })
    if (typeof response.sessionId !== 'string' || response.sessionId.length === 0) {
      throw this.#requester.protocolError('POST sessions/new', 'the response has no "sessionId"', response)
    }
    return response
  }

  /** `POST sessions/{id}/tracks/new` as given; throws on a top-level error or on any failed track. */
  newTracks(sessionId: string, body: TracksRequest, options: RequestOptions = {}): Promise<TracksResponse> {
    return this.#queue.run(sessionId, async () => {
      const response = await tracksNew(this.#requester, sessionId, body, options.signal)
      this.#requester.throwOnTrackErrors(`POST tracks/new`, response.tracks, response)
      return response
    })
  }

  /** Publishes the tracks of an endpoint's offer (flows A and B): returns Calls' answer. */
  pushTracks(sessionId: string, options: PushOptions): Promise<PushResult> {
    const body: TracksRequest = {sessionDescription: options.offer}
    if (options.autoDiscover) body.autoDiscover = true
    if (options.tracks !== undefined) {
      body.tracks = options.tracks.map((t) => ({location: 'local', mid: t.mid, trackName: t.trackName}))
    }
    return this.#queue.run(sessionId, async () => {
      const response = await tracksNew(this.#requester, sessionId, body, options.signal)
      this.#requester.throwOnTrackErrors('POST tracks/new (push)', response.tracks, response)
      const answer = this.#requester.requireDescription('POST tracks/new (push)', response, 'answer')
      return {answer, tracks: response.tracks ?? []}
    })
  }

  /**
   * Pulls tracks of other sessions into this one: with `offer` (client-offer mode, flow D) Calls answers
   * directly; without it (flow C) Calls offers and `answer` completes the exchange with /renegotiate.
   * Retries while the publisher is not sending yet, within `waitForPublisherMs`.
   */
  pullTracks(sessionId: string, options: PullOptions): Promise<PullResult> {
    return this.#queue.run(sessionId, () => pull(this.#requester, sessionId, options))
  }

  /** `PUT sessions/{id}/renegotiate` with the endpoint's answer to the SFU's offer. */
  renegotiate(
    sessionId: string,
    answer: SessionDescription,
    options: RequestOptions = {},
  ): Promise<RenegotiateResponse> {
    return this.#queue.run(sessionId, () => renegotiate(this.#requester, sessionId, answer, options.signal))
  }

  /** `PUT sessions/{id}/tracks/update`: point existing receiving transceivers at other tracks (or layers). */
  updateTracks(
    sessionId: string,
    body: UpdateTracksRequest,
    options: RequestOptions = {},
  ): Promise<UpdateTracksResponse> {
    return this.#queue.run(sessionId, async () => {
      const response = await this.#requester.send<UpdateTracksResponse>({
        method: 'PUT',
        path: `sessions/${encodeURIComponent(sessionId)}/tracks/update`,
        body,
        idempotent: false,
        signal: options.signal,
      })
      this.#requester.throwOnTrackErrors('PUT tracks/update', response.tracks, response)
      return response
    })
  }

  /**
   * `PUT sessions/{id}/tracks/close`, forced (no SDP) or negotiated (with the endpoint's offer). A track
   * that is already closed (`close_track_error`) counts as closed.
   */
  closeTracks(sessionId: string, options: CloseOptions): Promise<CloseResult> {
    const force = options.force !== false
    const body: {tracks: {mid: string}[]; force: boolean; sessionDescription?: SessionDescription} = {
      tracks: options.mids.map((mid) => ({mid})),
      force,
    }
    if (options.force === false) body.sessionDescription = options.offer
    return this.#queue.run(sessionId, async () => {
      const response = await this.#requester.send<CloseTracksResponse>({
        method: 'PUT',
        path: `sessions/${encodeURIComponent(sessionId)}/tracks/close`,
        body,
        idempotent: force,
        signal: options.signal,
      })
      const items = response.tracks ?? []
      const failed = items.filter((t) => t.errorCode !== undefined && t.errorCode !== 'close_track_error')
      this.#requester.throwOnTrackErrors('PUT tracks/close', failed, response)
      const result: CloseResult = {
        tracks: items.map((t) => ({mid: t.mid, alreadyClosed: t.errorCode === 'close_track_error'})),
      }
      if (!force) result.answer = this.#requester.requireDescription('PUT tracks/close', response, 'answer')
      return result
    })
  }

  /** `GET sessions/{id}`: tracks and DataChannels with their status. */
  getSession(sessionId: string, options: RequestOptions = {}): Promise<GetSessionStateResponse> {
    return this.#requester.send<GetSessionStateResponse>({
      method: 'GET',
      path: `sessions/${encodeURIComponent(sessionId)}`,
      idempotent: true,
      signal: options.signal,
    })
  }

  /**
   * `POST sessions/{id}/datachannels/establish`: negotiates the DataChannel transport with the reserved
   * `server-events` channel. Without `offer` Calls offers (answer it with renegotiate()); with one it
   * answers. Not needed when an earlier offer of the session already carried an `m=application` section.
   */
  establishDataChannels(
    sessionId: string,
    options: RequestOptions & {offer?: SessionDescription} = {},
  ): Promise<EstablishDataChannelsResponse> {
    const body: EstablishDataChannelsRequest = {dataChannel: {location: 'remote', dataChannelName: 'server-events'}}
    if (options.offer !== undefined) body.sessionDescription = options.offer
    return this.#queue.run(sessionId, () =>
      this.#requester.send<EstablishDataChannelsResponse>({
        method: 'POST',
        path: `sessions/${encodeURIComponent(sessionId)}/datachannels/establish`,
        body,
        idempotent: false,
        signal: options.signal,
      }),
    )
  }

  /**
   * `POST sessions/{id}/datachannels/new`: publishes (`local`) or subscribes to (`remote`) DataChannels; the
   * endpoint then opens each with `{negotiated: true, id}` from the result. Throws on any failed item.
   */
  newDataChannels(
    sessionId: string,
    dataChannels: DataChannelObject[],
    options: RequestOptions = {},
  ): Promise<DataChannelResult[]> {
    return this.#dataChannels('POST', 'new', sessionId, dataChannels, options)
  }

  /** `PUT sessions/{id}/datachannels/update`: grants or revokes `canReply` on pulled DataChannels. */
  updateDataChannels(
    sessionId: string,
    dataChannels: DataChannelObject[],
    options: RequestOptions = {},
  ): Promise<DataChannelResult[]> {
    return this.#dataChannels('PUT', 'update', sessionId, dataChannels, options)
  }

  /** `PUT sessions/{id}/datachannels/close` by id; one already closed (`close_track_error`) counts as closed. */
  closeDataChannels(sessionId: string, ids: number[], options: RequestOptions = {}): Promise<DataChannelResult[]> {
    return this.#dataChannels(
      'PUT',
      'close',
      sessionId,
      ids.map((id) => ({id})),
      options,
    )
  }

  #dataChannels(
    method: 'POST' | 'PUT',
    verb: 'new' | 'update' | 'close',
    sessionId: string,
    dataChannels: DataChannelObject[],
    options: RequestOptions,
  ): Promise<DataChannelResult[]> {
    return this.#queue.run(sessionId, async () => {
      const response = await this.#requester.send<DataChannelsResponse>({
        method,
        path: `sessions/${encodeURIComponent(sessionId)}/datachannels/${verb}`,
        body: {dataChannels},
        idempotent: verb === 'close',
        signal: options.signal,
      })
      const items = response.dataChannels ?? []
      const failed = items.filter(
        (item) => item.errorCode !== undefined && !(verb === 'close' && item.errorCode === 'close_track_error'),
      )
      // A failed DataChannel is reported like a failed track: named by its channel name and session.
      this.#requester.throwOnTrackErrors(
        `${method} datachannels/${verb}`,
        failed.map((item) => ({
          ...(item.dataChannelName !== undefined && {trackName: item.dataChannelName}),
          ...(item.sessionId !== undefined && {sessionId: item.sessionId}),
          errorCode: item.errorCode as string,
          ...(item.errorDescription !== undefined && {errorDescription: item.errorDescription}),
        })),
        response,
      )
      return items
    })
  }
}
