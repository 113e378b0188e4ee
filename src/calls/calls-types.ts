/**
 * Types of the Cloudflare Realtime SFU (formerly Calls) HTTPS API, from its OpenAPI file
 * (`realtime-api-2024-05-21.yaml`, test/fixtures; docs/calls-api.md names the revision). Field names are
 * exactly the API's: the API rejects misspelled ones (`trackname`) with `decoding_error`.
 */

export const DEFAULT_CALLS_API_BASE = 'https://rtc.live.cloudflare.com/v1'

export type SdpType = 'offer' | 'answer'

export interface SessionDescription {
  type: SdpType
  sdp: string
}

export type TrackLocation = 'local' | 'remote'
export type SimulcastOrdering = 'none' | 'asciibetical'

/** A subscriber's simulcast layer choice (docs/calls-api.md "Simulcast"). */
export interface SimulcastPreference {
  /** The RID to receive, as the publisher named its encodings (`f`, `h`, `q`). */
  preferredRid?: string
  /** `asciibetical`: under bandwidth pressure step down a–z; `none` (default): keep the preferred layer. */
  priorityOrdering?: SimulcastOrdering
  /** `asciibetical`: when the layer stops, take the next one a–z; `none` (default): receive nothing. */
  ridNotAvailable?: SimulcastOrdering
}

/** `TrackObject`: a track to publish (`local`) or to pull from another session (`remote`). */
export interface TrackObject {
  location?: TrackLocation
  /** The transceiver's mid; `#trackName` references an existing transceiver by its track name. */
  mid?: string
  /** The publisher's session (remote tracks only). */
  sessionId?: string
  trackName?: string
  /** Make the transceiver sendrecv; only when the SFU generates the offer. */
  bidirectionalMediaStream?: boolean
  /** `audio` or `video`; required when the SFU generates the offer. */
  kind?: string
  simulcast?: SimulcastPreference
}

/** A per-item result: the item, possibly with an error of its own inside an HTTP 200. */
export interface ItemError {
  errorCode?: string
  errorDescription?: string
}

export type TrackResult = TrackObject & ItemError

export interface TracksRequest {
  sessionDescription?: SessionDescription
  tracks?: TrackObject[]
  /** Assign a random track name to every new track in the offered SDP. */
  autoDiscover?: boolean
}

export interface TracksResponse extends ItemError {
  requiresImmediateRenegotiation?: boolean
  sessionDescription?: SessionDescription
  tracks?: TrackResult[]
}

export interface NewSessionRequest {
  sessionDescription?: SessionDescription
}

export interface NewSessionResponse extends ItemError {
  sessionId: string
  sessionDescription?: SessionDescription
}

export interface RenegotiateRequest {
  sessionDescription: SessionDescription
}

export interface RenegotiateResponse extends ItemError {
  sessionDescription?: SessionDescription
}

export interface UpdateTracksRequest {
  tracks: TrackObject[]
  sessionDescription?: SessionDescription
}

export interface UpdateTracksResponse extends ItemError {
  requiresImmediateRenegotiation?: boolean
  tracks?: TrackResult[]
}

export interface CloseTrackObject {
  mid: string
}

export interface CloseTracksRequest {
  tracks: CloseTrackObject[]
  /** true: stop without an SDP exchange; false: `sessionDescription` carries the endpoint's offer. */
  force: boolean
  sessionDescription?: SessionDescription
}

export interface CloseTracksResponse extends ItemError {
  requiresImmediateRenegotiation?: boolean
  sessionDescription?: SessionDescription
  tracks?: (CloseTrackObject & ItemError)[]
}

export type SessionResourceStatus = 'active' | 'inactive' | 'initializing'

export interface SessionTrackState extends TrackObject {
  status?: SessionResourceStatus
}

export interface DataChannelObject {
  location?: TrackLocation
  sessionId?: string
  dataChannelName?: string
  ordered?: boolean
  maxRetransmits?: number
  maxPacketLifeTime?: number
  waitForAck?: boolean
  canReply?: boolean
  id?: number
}

export interface SessionDataChannelState {
  location?: TrackLocation
  sessionId?: string
  dataChannelName?: string
  id?: number
  status?: SessionResourceStatus
}

export interface GetSessionStateResponse extends ItemError {
  tracks?: SessionTrackState[]
  dataChannels?: SessionDataChannelState[]
}

export interface DataChannelsRequest {
  dataChannels: DataChannelObject[]
}

export type DataChannelResult = DataChannelObject & ItemError

export interface DataChannelsResponse extends ItemError {
  dataChannels?: DataChannelResult[]
}

export interface EstablishDataChannelsRequest {
  dataChannel: DataChannelObject
  sessionDescription?: SessionDescription
}

export interface EstablishDataChannelsResponse extends ItemError {
  requiresImmediateRenegotiation?: boolean
  sessionDescription?: SessionDescription
  dataChannel?: DataChannelObject
}

/** Error codes the API documents (top level or per item). */
export const CALLS_ERROR_CODES = [
  'unauthorized',
  'not_found',
  'decoding_error',
  'invalid_params',
  'payload_too_large',
  'session_error',
  'invalid_session_description',
  'not_found_track_error',
  'empty_track_error',
  'repeated_local_track_error',
  'update_track_error',
  'close_track_error',
  'retryable_transient_error',
  'temporarily_unavailable_error',
  'transport_unavailable_error',
  'backend_error',
  'internal_error',
] as const

/** @public The API's documented shape, not used by r58 yet. */
export type CallsErrorCode = (typeof CALLS_ERROR_CODES)[number]
