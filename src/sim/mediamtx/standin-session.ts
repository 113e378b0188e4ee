/**
 * One WHIP publish session of the MediaMTX stand-in: a werift peer on loopback that answers the offer the way
 * MediaMTX does (full answer, its candidates), then follows `runPublish`: wait for ICE+DTLS within
 * webrtcHandshakeTimeout, wait for RTP within webrtcTrackGatherTimeout (zero tracks ends the session), publish
 * the tracks on the path, request a keyframe (PLI) every 2 s per video track, count inbound bytes and packets.
 */
import {randomUUID} from 'node:crypto'
import {
  type MediaStreamTrack,
  type RTCIceServer,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  type RtpPacket,
  useH264,
  useOPUS,
  usePCMU,
  useVP8,
} from 'werift'
import {unbundleOnly} from '../../sdp/munge.js'
import {isCandidateLine} from '../../sdp/sdp-candidate.js'
import {attributeLine, isAttribute, parseSdpDocument, removeLines, serializeSdp} from '../../sdp/sdp-document.js'
import type {Log} from '../../util/log.js'
import {keepRemoteCandidates} from '../../webrtc/scope.js'
import {type PairEnd, pairEndLabel, selectedPair} from '../../webrtc/selected-pair.js'
import {type SocketTracker, trackWeriftSockets} from '../../webrtc/socket-tracker.js'
import {parseTrickleFragment} from '../../whip/sdpfrag.js'
import {localAddressToward, remoteAllowed, type StandinNetwork, sessionPeerConfig} from './network.js'

/** MediaMTX's `keyFrameInterval`: a PLI to the publisher every 2 s per video track. */
export const KEYFRAME_INTERVAL_MS = 2000

export class StandinHttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export interface StandinTrackStats {
  kind: 'audio' | 'video'
  /** `VP8`, `H264`, `Opus`, … as MediaMTX names codecs in the API. */
  codec: string
  ssrc: number
  packets: number
  bytes: number
  plisSent: number
  firstPacketAt: number | null
}

export type SessionState = 'connecting' | 'gathering-tracks' | 'publishing' | 'closed'

export interface SessionOptions {
  pathName: string
  query: string
  remoteAddr: string
  offer: string
  iceServers: RTCIceServer[]
  /** Loopback only (default), or every interface as on a real box (network.ts). */
  network?: StandinNetwork
  /** webrtcLocalUDPAddress's port: in `interfaces` mode the session takes the first free port from there. */
  udpPort?: number | undefined
  handshakeTimeoutMs: number
  trackGatherTimeoutMs: number
  /** Builds the answer's candidates from the UDP port werift got (and srflx/relay lines). */
  candidates: (udpPort: number, reflexive: string[]) => {candidates: string[]; error?: string}
  /** Called once the tracks are known (path becomes ready). */
  onPublishing: (session: StandinSession) => void
  onClosed: (session: StandinSession, reason: string) => void
  log: Log
  onRtp?: (packet: RtpPacket, from: {path: string; kind: 'audio' | 'video'}) => void
}

const CODEC_NAMES: Record<string, string> = {
  vp8: 'VP8',
  h264: 'H264',
  vp9: 'VP9',
  av1: 'AV1',
  opus: 'Opus',
  pcmu: 'G711',
  pcma: 'G711',
}

function codecName(mimeType: string): string {
  const sub = mimeType.split('/')[1]?.toLowerCase() ?? mimeType
  return CODEC_NAMES[sub] ?? sub
}

/** MediaMTX's 406 rules (`TracksAreValid`): one audio and one video m-line at most, nothing else, not none. */
export function checkOfferTracks(offer: string): string | undefined {
  let video = 0
  let audio = 0
  for (const {kind} of parseSdpDocument(offer).sections) {
    if (kind === 'video') video++
    else if (kind === 'audio') audio++
    else return `unsupported media '${kind}'`
    if (video > 1 || audio > 1) return 'only a single video and a single audio track are supported'
  }
  if (video === 0 && audio === 0) return 'no valid tracks found'
  return undefined
}

/** Replaces werift's candidates with MediaMTX's: all in the first m-section, then `a=end-of-candidates`. */
function withCandidates(sdp: string, candidates: readonly string[]): string {
  const document = parseSdpDocument(sdp)
  removeLines(document, (line) => isCandidateLine(line) || isAttribute(line, 'end-of-candidates', true))
  const lines = [...candidates.map((c) => attributeLine('candidate', c)), attributeLine('end-of-candidates')]
  const first = document.sections[0]
  if (first) first.lines.push(...lines)
  else document.session.push(...lines)
  return serializeSdp(document)
}

export class StandinSession {
  readonly id = randomUUID()
  readonly secret = randomUUID()
  readonly created = new Date().toISOString()
  readonly pathName: string
  readonly query: string
  readonly remoteAddr: string
  readonly tracks: StandinTrackStats[] = []
  state: SessionState = 'connecting'
  peerConnectionEstablished = false
  localCandidate = ''
  remoteCandidate = ''
  rtcpPacketsReceived = 0
  answer = ''
  readonly #pc: RTCPeerConnection
  readonly #options: SessionOptions
  #sockets: SocketTracker | undefined
  readonly #timers = new Set<NodeJS.Timeout>()
  #closing = false

  private constructor(options: SessionOptions, pc: RTCPeerConnection) {
    this.#options = options
    this.#pc = pc
    this.pathName = options.pathName
    this.query = options.query
    this.remoteAddr = options.remoteAddr
  }

  /** Answers the offer, or throws a StandinHttpError with MediaMTX's status and message. */
  static async create(options: SessionOptions): Promise<StandinSession> {
    const problem = checkOfferTracks(options.offer)
    if (problem !== undefined) throw new StandinHttpError(406, problem)
    const sockets = trackWeriftSockets()
    const network = options.network ?? 'loopback'
    const pc = new RTCPeerConnection({
      ...sessionPeerConfig(network, options.udpPort),
      iceServers: options.iceServers,
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [useOPUS(), usePCMU()],
        video: [useVP8(), useH264()],
      },
    })
    const session = new StandinSession(options, pc)
    session.#sockets = sockets
    pc.onRemoteTransceiverAdded.subscribe((transceiver) => session.watch(transceiver))
    try {
      const offer = keepRemoteCandidates(unbundleOnly(options.offer).sdp, remoteAllowed(network))
      try {
        await pc.setRemoteDescription({type: 'offer', sdp: offer})
      } catch (error) {
        throw new StandinHttpError(400, error instanceof Error ? error.message : String(error))
      }
      const created = await pc.createAnswer()
      const local = await sockets.run(() => pc.setLocalDescription(created))
      if (local.media.some((m) => m.port === 0)) throw new StandinHttpError(400, 'codecs not supported by client')
      const own = pc.iceTransports[0]?.localCandidates ?? []
      const host = own.find((c) => c.type === 'host' && c.protocol === 'udp')
      const reflexive = own
        .filter((c) => c.type === 'srflx' || c.type === 'relay')
        .map(
          (c) =>
            `${c.foundation.replace(/^candidate:/, '')} ${c.component} ${c.protocol} ${c.priority} ${c.ip} ${c.port} typ ${c.type}${c.relatedAddress ? ` raddr ${c.relatedAddress} rport ${c.relatedPort ?? 0}` : ''}`,
        )
      const built = options.candidates(host?.port ?? 0, reflexive)
      if (built.error !== undefined) throw new StandinHttpError(400, built.error)
      session.answer = withCandidates(pc.localDescription?.sdp ?? local.string, built.candidates)
    } catch (error) {
      await pc.close().catch(() => {})
      await sockets.release()
      throw error
    }
    session.run()
    return session
  }

  private watch(transceiver: RTCRtpTransceiver): void {
    transceiver.onTrack.subscribe((track: MediaStreamTrack) => {
      const codec = transceiver.codecs[0]
      const stats: StandinTrackStats = {
        kind: track.kind === 'video' ? 'video' : 'audio',
        codec: codecName(codec?.mimeType ?? track.kind),
        ssrc: track.ssrc ?? 0,
        packets: 0,
        bytes: 0,
        plisSent: 0,
        firstPacketAt: null,
      }
      this.tracks.push(stats)
      track.onReceiveRtp.subscribe((rtp) => {
        if (stats.firstPacketAt === null) {
          stats.firstPacketAt = Date.now()
          stats.ssrc = rtp.header.ssrc
          const negotiated = transceiver.codecs.find((c) => c.payloadType === rtp.header.payloadType)
          if (negotiated) stats.codec = codecName(negotiated.mimeType)
        }
        stats.packets += 1
        stats.bytes += rtp.serializeSize
        this.#options.onRtp?.(rtp, {path: this.pathName, kind: stats.kind})
      })
      if (stats.kind === 'video') {
        const timer = setInterval(() => {
          if (stats.firstPacketAt === null || this.state === 'closed') return
          transceiver.receiver.sendRtcpPLI(stats.ssrc).catch(() => {})
          stats.plisSent += 1
        }, KEYFRAME_INTERVAL_MS)
        timer.unref()
        this.#timers.add(timer)
      }
    })
    transceiver.receiver.onRtcp.subscribe(() => {
      this.rtcpPacketsReceived += 1
    })
  }

  /** The expected number of inbound tracks: the offer's sending m-lines. */
  private get expectedTracks(): number {
    return this.#pc.getTransceivers().filter((t) => t.direction !== 'inactive').length
  }

  private run(): void {
    const {handshakeTimeoutMs, trackGatherTimeoutMs, log} = this.#options
    const handshake = setTimeout(() => this.close('deadline exceeded while waiting connection'), handshakeTimeoutMs)
    handshake.unref()
    this.#timers.add(handshake)
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && !this.peerConnectionEstablished) {
        clearTimeout(handshake)
        this.peerConnectionEstablished = true
        const pair = selectedPair(this.#pc)
        this.localCandidate = pair ? pairEndLabel(this.localEnd(pair.local, pair.remote)) : ''
        this.remoteCandidate = pair ? pairEndLabel(pair.remote) : ''
        this.state = 'gathering-tracks'
        log({
          level: 'info',
          event: 'standin.session.connected',
          msg: `session ${this.id} connected`,
          path: this.pathName,
          localCandidate: this.localCandidate,
          remoteCandidate: this.remoteCandidate,
        })
        this.gatherTracks(trackGatherTimeoutMs)
      }
      if (state === 'failed' || (state === 'closed' && !this.#closing)) this.close('peer connection closed')
    })
  }

  private gatherTracks(timeoutMs: number): void {
    const started = Date.now()
    const poll = setInterval(() => {
      const arrived = this.tracks.filter((t) => t.firstPacketAt !== null).length
      const timedOut = Date.now() - started >= timeoutMs
      if (arrived >= this.expectedTracks || (timedOut && arrived > 0)) {
        clearInterval(poll)
        this.#timers.delete(poll)
        this.state = 'publishing'
        this.#options.onPublishing(this)
        return
      }
      if (timedOut) {
        clearInterval(poll)
        this.#timers.delete(poll)
        this.close('deadline exceeded while waiting tracks')
      }
    }, 10)
    poll.unref()
    this.#timers.add(poll)
  }

  /** A host end bound on 0.0.0.0 is labelled with the interface address that faces the remote end. */
  private localEnd(local: PairEnd, remote: PairEnd): PairEnd {
    if (local.address !== '0.0.0.0') return local
    return {...local, address: localAddressToward(remote.address) ?? local.address}
  }

  /** Trickled candidates (PATCH): only those the mode allows reach werift. */
  async addCandidates(fragment: string): Promise<void> {
    const parsed = parseTrickleFragment(fragment)
    const allowed = remoteAllowed(this.#options.network ?? 'loopback')
    for (const {candidate} of parsed.candidates) {
      const address = candidate.split(/\s+/)[4] ?? ''
      if (!allowed(address)) continue
      await this.#pc.addIceCandidate({candidate, sdpMLineIndex: 0}).catch(() => {})
    }
  }

  get inboundBytes(): number {
    return this.tracks.reduce((sum, t) => sum + t.bytes, 0)
  }

  get inboundPackets(): number {
    return this.tracks.reduce((sum, t) => sum + t.packets, 0)
  }

  /** Closes the peer and reports why (MediaMTX's log words). Safe to call twice. */
  close(reason: string): Promise<void> {
    if (this.#closing) return Promise.resolve()
    this.#closing = true
    this.state = 'closed'
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    this.#options.log({
      level: 'info',
      event: 'standin.session.closed',
      msg: `session ${this.id} closed: ${reason}`,
      path: this.pathName,
      reason,
      localCandidate: this.localCandidate,
      remoteCandidate: this.remoteCandidate,
      inboundBytes: this.inboundBytes,
      inboundRTPPackets: this.inboundPackets,
    })
    this.#options.onClosed(this, reason)
    return this.#pc
      .close()
      .catch(() => {})
      .then(() => this.#sockets?.release())
  }

  /** The peer's connection state, for tests that assert nothing is left open. */
  get connectionState(): string {
    return this.#pc.connectionState
  }
}
