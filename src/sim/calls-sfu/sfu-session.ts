/**
 * One emulated Calls session: one werift peer connection (ICE-lite, BUNDLE, host candidates on the
 * emulator's media addresses), its tracks by mid, and its negotiation state. Handlers hold the session's
 * lock while they call these methods; nothing here is re-entrant.
 *
 * werift's `iceLite` option works against full-ICE werift endpoints (verified by every flow test): the
 * endpoint sees `a=ice-lite`, takes the controlling role and nominates; the emulator only answers checks.
 * In its answers werift picks `a=setup:active` (the emulator is the DTLS client); its offers say actpass.
 * A `thirdparty` session is full ICE instead, for connecting to an ICE-lite server.
 */
import type {RTCDtlsTransport, RTCPeerConnection, RTCRtpTransceiver, RtcpPacket} from 'werift'
import type {SessionDescription, SessionResourceStatus, SimulcastPreference} from '../../calls/calls-types.js'
import {createPeer} from '../../media/peer.js'
import {keyframeRequestsOf} from '../../media/rtcp.js'
import {invalidSessionDescription} from './api-error.js'
import {emulatorCodecs, emulatorExtensions} from './codecs.js'
import {acceptBundleOnly, checkSdp, type SdpSummary, toCallsSdp} from './sdp.js'
import {type MediaCounters, Publication, Subscription} from './sfu-forward.js'

type Unsubscribe = {unSubscribe(): void}

export interface TrackRecord {
  location: 'local' | 'remote'
  mid: string
  trackName: string
  kind: 'audio' | 'video'
  status: SessionResourceStatus
  /** The publisher's session (remote tracks). */
  sessionId?: string
  simulcast?: SimulcastPreference
  bidirectional?: boolean
  transceiver: RTCRtpTransceiver
  publication?: Publication
  subscription?: Subscription
}

export interface SessionEnvironment {
  hostAddresses: readonly string[]
  counters: MediaCounters
  now: () => number
  /** Called when a session's peer connection changes state (for logs). */
  onConnectionState?: (session: EmulatedSession, state: string) => void
}

export class EmulatedSession {
  readonly createdAt: number
  pc: RTCPeerConnection | undefined
  /** A mutation is running (the emulator answers 406 to a second one). */
  busy = false
  /** The SFU sent an offer and waits for /renegotiate. */
  pendingOffer = false
  /** At least one offer/answer exchange completed. */
  negotiated = false
  connected = false
  everConnected = false
  lastActivityAt: number
  /** When the connection was lost (disconnected, failed, closed). */
  lostAt: number | undefined
  closed = false
  readonly tracks = new Map<string, TrackRecord>()
  readonly publications = new Map<string, Publication>()
  readonly #subscriptions: Unsubscribe[] = []
  #rtcpTransport: RTCDtlsTransport | undefined
  #connectedWaiters: (() => void)[] = []
  /** Arrival times of the requests of the last second (the per-session rate limit). */
  #requestTimes: number[] = []

  readonly id: string
  readonly appId: string
  readonly thirdparty: boolean
  readonly #env: SessionEnvironment

  constructor(id: string, appId: string, thirdparty: boolean, env: SessionEnvironment) {
    this.id = id
    this.appId = appId
    this.thirdparty = thirdparty
    this.#env = env
    this.createdAt = env.now()
    this.lastActivityAt = this.createdAt
  }

  get iceLite(): boolean {
    return !this.thirdparty
  }

  /** Counts a request against the per-session limit; false when `perSecond` were admitted in the last second. */
  admitRequest(now: number, perSecond: number): boolean {
    const recent = this.#requestTimes.filter((at) => now - at < 1000)
    if (recent.length >= perSecond) {
      this.#requestTimes = recent
      return false
    }
    recent.push(now)
    this.#requestTimes = recent
    return true
  }

  touch(): void {
    this.lastActivityAt = this.#env.now()
  }

  ensurePeer(): RTCPeerConnection {
    if (this.pc) return this.pc
    const pc = createPeer({
      iceLite: this.iceLite,
      hostAddresses: this.#env.hostAddresses,
      codecs: emulatorCodecs(),
      headerExtensions: emulatorExtensions(),
      onStunRequest: () => this.touch(),
    })
    guardRouter(pc)
    this.#subscriptions.push(
      pc.connectionStateChange.subscribe((state) => {
        try {
          this.#onConnectionState(state)
        } catch {
          // never let a state callback throw into werift
        }
      }),
    )
    this.pc = pc
    return pc
  }

  #onConnectionState(state: string): void {
    if (this.closed) return
    this.#env.onConnectionState?.(this, state)
    if (state === 'connected') {
      this.connected = true
      this.everConnected = true
      this.lostAt = undefined
      this.touch()
      for (const wake of this.#connectedWaiters.splice(0)) wake()
      this.requestKeyframesForSubscriptions()
    } else if (state === 'disconnected' || state === 'failed' || state === 'closed') {
      this.connected = false
      this.lostAt ??= this.#env.now()
    }
  }

  /** Resolves true once connected, false after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#connectedWaiters = this.#connectedWaiters.filter((w) => w !== wake)
        resolve(false)
      }, timeoutMs)
      const wake = () => {
        clearTimeout(timer)
        resolve(this.connected)
      }
      this.#connectedWaiters.push(wake)
    })
  }

  /** Every subscription asks its publisher for a keyframe (a subscriber just connected). */
  requestKeyframesForSubscriptions(): void {
    for (const record of this.tracks.values()) record.subscription?.requestKeyframe('pli')
  }

  #watchRtcp(): void {
    const transport = this.pc?.dtlsTransports[0]
    if (!transport || transport === this.#rtcpTransport) return
    this.#rtcpTransport = transport
    this.#subscriptions.push(
      transport.onRtcp.subscribe((packet: RtcpPacket) => {
        try {
          this.touch()
          for (const request of keyframeRequestsOf(packet)) {
            for (const record of this.tracks.values()) {
              const subscription = record.subscription
              if (subscription && subscription.ssrc === request.mediaSsrc) subscription.requestKeyframe(request.kind)
            }
          }
        } catch {
          // malformed feedback is ignored
        }
      }),
    )
  }

  /** Checks an offer and sets it as the remote description. */
  async applyOffer(offer: SessionDescription): Promise<SdpSummary> {
    if (offer.type !== 'offer') throw invalidSessionDescription(`Expected an offer, got an ${offer.type}`)
    const sdp = acceptBundleOnly(offer.sdp)
    const summary = checkSdp(sdp, 'offer')
    const pc = this.ensurePeer()
    if (pc.signalingState !== 'stable') {
      throw invalidSessionDescription(`The session is in state ${pc.signalingState}; an offer is not expected now`)
    }
    await this.#werift(() => pc.setRemoteDescription({type: 'offer', sdp}), 'offer')
    return summary
  }

  /** Creates, sets and returns the answer to the applied offer, in Calls' shape. */
  async createAnswer(): Promise<SessionDescription> {
    const pc = this.ensurePeer()
    await this.#werift(async () => {
      await pc.setLocalDescription(await pc.createAnswer())
    }, 'answer')
    this.negotiated = true
    this.#watchRtcp()
    return {type: 'answer', sdp: toCallsSdp(pc.localDescription?.sdp ?? '', this.iceLite)}
  }

  /** Creates and sets an SFU offer (the endpoint answers it with /renegotiate). */
  async createOffer(): Promise<SessionDescription> {
    const pc = this.ensurePeer()
    await this.#werift(async () => {
      await pc.setLocalDescription(await pc.createOffer())
    }, 'offer')
    this.pendingOffer = true
    this.#watchRtcp()
    return {type: 'offer', sdp: toCallsSdp(pc.localDescription?.sdp ?? '', this.iceLite)}
  }

  /** Applies the endpoint's answer to the pending SFU offer. */
  async applyAnswer(answer: SessionDescription): Promise<void> {
    if (answer.type !== 'answer') throw invalidSessionDescription(`Expected an answer, got an ${answer.type}`)
    if (!this.pendingOffer || !this.pc) {
      throw invalidSessionDescription('There is no pending offer to answer (an answer is applied only once)')
    }
    const sdp = acceptBundleOnly(answer.sdp)
    checkSdp(sdp, 'answer')
    const pc = this.pc
    await this.#werift(() => pc.setRemoteDescription({type: 'answer', sdp}), 'answer')
    this.pendingOffer = false
    this.negotiated = true
    this.#watchRtcp()
    if (this.connected) this.requestKeyframesForSubscriptions()
  }

  /**
   * Runs a werift call; a throw becomes `invalid_session_description`. A session that never completed a
   * negotiation drops its peer connection, so the next attempt starts clean.
   */
  async #werift<T>(work: () => Promise<T>, what: string): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (!this.negotiated && !this.pendingOffer) await this.resetPeer()
      const reason = error instanceof Error ? error.message : String(error)
      throw invalidSessionDescription(`The SFU could not apply the ${what}: ${reason.slice(0, 200)}`)
    }
  }

  async resetPeer(): Promise<void> {
    const pc = this.pc
    this.pc = undefined
    this.#rtcpTransport = undefined
    for (const record of this.tracks.values()) this.#stopTrack(record)
    this.tracks.clear()
    this.publications.clear()
    if (pc) await pc.close().catch(() => {})
  }

  transceiverByMid(mid: string): RTCRtpTransceiver | undefined {
    return this.pc?.getTransceivers().find((t) => t.mid === mid)
  }

  /** Starts a publication on a receiving transceiver. */
  publish(
    trackName: string,
    transceiver: RTCRtpTransceiver,
    counters: MediaCounters,
    bidirectional = false,
  ): TrackRecord {
    const mid = transceiver.mid ?? ''
    const kind = transceiver.kind === 'audio' ? 'audio' : 'video'
    const publication = new Publication({
      ownerId: this.id,
      trackName,
      mid,
      kind,
      transceiver,
      counters,
      now: this.#env.now,
      onActivity: () => this.touch(),
    })
    publication.attach()
    this.publications.set(trackName, publication)
    const record: TrackRecord = {
      location: 'local',
      mid,
      trackName,
      kind,
      status: 'active',
      transceiver,
      publication,
      ...(bidirectional && {bidirectional}),
    }
    this.tracks.set(mid, record)
    return record
  }

  /** Starts forwarding `publication` to the subscriber on `transceiver`. */
  subscribe(
    transceiver: RTCRtpTransceiver,
    publication: Publication,
    counters: MediaCounters,
    request: {simulcast?: SimulcastPreference},
  ): TrackRecord {
    const mid = transceiver.mid ?? ''
    const subscription = new Subscription(this.id, mid, transceiver, publication, counters, request.simulcast)
    const existing = this.tracks.get(mid)
    const record: TrackRecord = {
      location: 'remote',
      mid,
      trackName: publication.trackName,
      kind: publication.kind,
      status: 'active',
      sessionId: publication.ownerId,
      transceiver,
      subscription,
      ...(request.simulcast !== undefined && {simulcast: request.simulcast}),
    }
    if (existing?.location === 'local') {
      // Pull into a bidirectional transceiver: keep its publication, add the outgoing side.
      existing.subscription = subscription
      existing.sessionId = publication.ownerId
      if (this.connected) subscription.requestKeyframe('pli')
      return existing
    }
    this.tracks.set(mid, record)
    if (this.connected) subscription.requestKeyframe('pli')
    return record
  }

  #stopTrack(record: TrackRecord): void {
    record.status = 'inactive'
    if (record.publication) {
      const publication = record.publication
      for (const subscriber of [...publication.subscribers]) subscriber.detach()
      publication.close()
      if (this.publications.get(publication.trackName) === publication) this.publications.delete(publication.trackName)
    }
    record.subscription?.detach()
  }

  /** Closes the track on `mid`; false when there is none or it is closed already. */
  closeTrack(mid: string): boolean {
    const record = this.tracks.get(mid)
    if (record?.status !== 'active') return false
    this.#stopTrack(record)
    return true
  }

  /** A track's status as GET shows it: a pulled track whose publication went away is inactive. */
  statusOf(record: TrackRecord): SessionResourceStatus {
    if (record.status !== 'active') return record.status
    if (record.location === 'remote' && record.subscription?.publication === undefined) return 'inactive'
    if (record.publication?.closed) return 'inactive'
    return 'active'
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const record of this.tracks.values()) this.#stopTrack(record)
    for (const subscription of this.#subscriptions.splice(0)) subscription.unSubscribe()
    for (const wake of this.#connectedWaiters.splice(0)) wake()
    const pc = this.pc
    this.pc = undefined
    if (pc) await pc.close().catch(() => {})
  }
}

/**
 * werift's RTP router throws on a packet whose rid extension names a layer the offer did not announce (it
 * looks the rid up without a check). The throw would escape into the socket's data handler; such a packet
 * is dropped instead, as any SFU drops a stream it did not negotiate.
 */
function guardRouter(pc: RTCPeerConnection): void {
  const router = (pc as unknown as {router?: {routeRtp?: (packet: unknown) => void}}).router
  const route = router?.routeRtp
  if (!router || typeof route !== 'function') return
  router.routeRtp = (packet: unknown) => {
    try {
      route(packet)
    } catch {
      // dropped: an unannounced stream
    }
  }
}
