/** What `probeWhip` takes and what it reports. */
import type {Dispatcher} from 'undici'
import type {ExitCode} from '../../errors.js'
import type {IceServer} from '../../ice/ice-url.js'
import type {AddressScope} from '../../net/address-class.js'
import type {Check} from '../../report/check.js'
import type {AnalyzedCandidate} from '../../sdp/analysis.js'
import type {Verdict} from '../../sdp/verdict.js'
import type {SelectedPair} from '../../webrtc/selected-pair.js'
import type {ProbeVideoCodec, RtcpSummary, SentMedia} from '../publisher.js'

export interface WhipProbeOptions {
  /** The WHIP endpoint (see whipEndpointUrl for the MediaMTX base-URL form). */
  url: string
  /** Bearer token for the WHIP requests. */
  token?: string | undefined
  /** ICE servers to use instead of the server's Link headers. */
  iceServers?: IceServer[] | undefined
  /** Credentials for --ice-server TURN URLs that carry none. */
  iceUsername?: string | undefined
  iceCredential?: string | undefined
  /** Relay candidates only, through TURN: what a guest behind a strict NAT experiences. */
  relayOnly?: boolean
  /** Media sent after the first RTP packet. Default 3000 ms. */
  durationMs?: number
  video?: ProbeVideoCodec
  /** Deadline of each step (HTTP request, ICE checking, DTLS, first RTP, API readiness). Default 5000 ms. */
  timeoutMs?: number
  /** Deadline of ICE gathering (a TURN allocation). Default timeoutMs + 9000 ms. */
  gatherTimeoutMs?: number
  /** PATCH a trickle fragment after the POST. Default true. */
  trickle?: boolean
  /**
   * Connect only through server candidates of these scopes (the analysis still lists all). `['this-host']` also
   * gathers and binds on 127.0.0.1 only: nothing is ever sent off this machine.
   */
  via?: readonly AddressScope[] | undefined
  /** With via this-host: the loopback address the peer binds to. Default 127.0.0.1. */
  loopbackAddress?: string | undefined
  /** MediaMTX control API to confirm the session from the server's side. */
  mediamtxApi?: {baseUrl: string; user?: string | undefined; password?: string | undefined} | undefined
  signal?: AbortSignal | undefined
  dispatcher?: Dispatcher | undefined
}

export interface TimelineEntry {
  /** Milliseconds since the probe started. */
  at: number
  event: string
  detail: string
}

export interface ProbeCandidate extends AnalyzedCandidate {
  /** Whether the probe let its peer connect through this candidate. */
  used: boolean
  /** Why not, when not used. */
  skipReason: string | null
}

export interface MediamtxConfirmation {
  path: string
  ready: boolean
  sourceType: string | null
  sourceId: string | null
  /** The WHIP answer's ID header equals the path's source id. */
  idMatches: boolean
  inboundBytes: number[]
  bytesGrowing: boolean
  tracks: string[]
  /** MediaMTX's selected pair, `type/proto/address/port`. */
  localCandidate: string | null
  remoteCandidate: string | null
}

export interface WhipProbeReport {
  url: string
  server: {
    kind: 'mediamtx' | 'whip'
    id: string | null
    location: string | null
    locationForm: string | null
    resource: string | null
    etag: string | null
    etagHeader: string | null
    redirects: string[]
    trickle: {status: number; outcome: string; message: string | null} | null
  }
  iceServers: {urls: string[]; source: 'flag' | 'options' | 'post' | 'none'; relay: string | null; ignored: string[]}
  relayOnly: boolean
  video: ProbeVideoCodec
  timeline: TimelineEntry[]
  candidates: ProbeCandidate[]
  verdict: Verdict | null
  selectedPair: SelectedPair | null
  media: {audio: SentMedia; video: SentMedia} | null
  rtcp: {audio: RtcpSummary; video: RtcpSummary} | null
  mediamtx: MediamtxConfirmation | null
  checks: Check[]
  ok: boolean
  exitCode: ExitCode
}
