/**
 * What the relay's HTTP front needs from the media side. The ingress (HTTP, auth, limits) and the engine
 * (Calls legs, werift, WHIP egress) are separate so each can be tested on its own.
 */
import type {IceServer} from '../ice/ice-url.js'
import type {TrafficTotals} from './metrics.js'

export type RelaySessionState =
  | 'negotiating' // guest offer → Calls
  | 'waiting-media' // Calls answered; waiting for the guest's RTP to reach Calls
  | 'pulling' // the relay's own Calls session pulls the tracks
  | 'publishing' // WHIP publish into MediaMTX under way
  | 'live' // media flows guest → Calls → relay → MediaMTX
  | 'reconnecting' // a leg dropped; being rebuilt
  | 'closed'

export interface LegStats {
  packets: number
  bytes: number
  /** Packets lost as far as this leg can tell (RTP sequence gaps or RTCP). */
  lost: number
}

export interface RelaySessionInfo {
  id: string
  path: string
  /** The guest's address (after trusted-proxy headers). */
  guest: string
  state: RelaySessionState
  since: string
  /** Tracks by kind with codec names, e.g. `{kind: 'video', codec: 'VP8'}`. */
  tracks: {kind: 'audio' | 'video'; codec: string}[]
  legs: {fromCalls: LegStats; toMediamtx: LegStats}
  keyframeRequests: number
  republishes: number
  lastError: string | null
  /** issue 14: where this guest's media flows (absent from relays that predate `--mode`). */
  media?: GuestMediaRoute
}

/** issue 14: the mode carrying a guest, and in `whep` mode what MediaMTX reports for its path. */
export interface GuestMediaRoute {
  mode: 'whep' | 'forward'
  route: string
  mediamtxPath?: string
  ready?: boolean
  inboundBytes?: number
  /** WHEP pulls MediaMTX made for this guest (1 + re-pulls). */
  pulls?: number
}

export interface OpenSessionInput {
  path: string
  /** The guest's SDP offer. */
  offer: string
  guest: string
}

export interface OpenSessionResult {
  id: string
  /** Calls' SDP answer, for the guest. */
  answer: string
}

/** A pull of tracks Calls does not publish: the operator's mistake, refused before any session is made. */
export class PullRefusedError extends Error {}

export interface PullInput {
  /** A Calls session that already publishes the tracks (another application's guest). */
  sessionId: string
  trackNames: string[]
  path: string
}

export interface RelayEngine {
  open(input: OpenSessionInput): Promise<OpenSessionResult>
  /** Pulls tracks that someone else published to Calls and republishes them into `path`. */
  pull(input: PullInput): Promise<{id: string}>
  close(id: string, reason: string): Promise<boolean>
  has(id: string): boolean
  list(): RelaySessionInfo[]
  /** ICE servers for guests (Link headers): Calls STUN, plus TURN credentials when a TURN key is configured. */
  iceServers(): Promise<IceServer[]>
  /** Traffic of the sessions that have ended, so /metrics counters never go back. */
  endedTotals?(): TrafficTotals
  /** Closes every session (SIGTERM). */
  shutdown(): Promise<void>
}
