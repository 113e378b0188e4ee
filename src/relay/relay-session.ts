/**
 * One guest, three legs:
 *
 *   guest ──WHIP──▶ Calls (push session: the guest's own PeerConnection, anycast, reachable from anywhere)
 *                   Calls ──▶ relay (pull session: this box's werift peer, outbound only)
 *                             relay ──WHIP──▶ MediaMTX (publish leg: werift peer on the LAN/loopback)
 *
 * The publish leg starts only once RTP flows from Calls, because MediaMTX keeps only the tracks that arrive
 * within its track-gather timeout (2 s). If MediaMTX drops the session (restart, config reload), the relay
 * publishes again with backoff; if the pull leg dies (Calls session expired, 410), it pulls again with a new
 * session; if the guest's media does not come back, the session ends itself. Closing frees every peer
 * connection, timer and Calls track it holds.
 */
import type {RTCPeerConnection, RTCRtpCodecParameters} from 'werift'
import {SessionDescription} from 'werift'
import type {CallsClient} from '../calls/calls-client.js'
import {isSessionGone} from '../calls/calls-errors.js'
import {R58Error} from '../errors.js'
import {
  audioCodecs,
  createPeer,
  localDescription,
  type PeerOptions,
  videoCodecs,
  waitForConnected,
} from '../media/peer.js'
import {sleep} from '../util/abort.js'
import type {Log} from '../util/log.js'
import {type WhipSession, whipDelete, whipPost} from '../whip/whip-client.js'
import type {LegStats, RelaySessionInfo, RelaySessionState} from './engine.js'
import {TrackForwarder} from './track-forward.js'

export interface SessionTimings {
  /** Connecting a werift peer (pull or publish leg). */
  connectMs: number
  /** Waiting for the guest's first RTP at the relay after the pull. */
  firstMediaMs: number
  /** How long publishing waits for the second track once the first one flows. */
  secondTrackGraceMs: number
  /** No RTP from Calls for this long: the pull leg is rebuilt (a new Calls session), or the guest is gone. */
  mediaSilenceMs: number
  /** After a rebuild, how long to wait for the guest's media before ending the session. */
  repullMediaMs: number
  /** Retrying the pull while the guest's tracks are not published yet. */
  publisherWaitMs: number
  /** Backoff steps for republishing into MediaMTX (ms); the first is the delay after a drop. */
  republishBackoffMs: readonly number[]
  /** Minimum time between keyframe requests forwarded to the guest. */
  keyframeIntervalMs: number
  /**
   * No RTCP from MediaMTX for this long means the publish leg is gone. A live receiver sends reports every
   * 0.5–1.5 s and MediaMTX asks for a keyframe every 2 s, while ICE consent would take ~30 s to notice a
   * restarted MediaMTX.
   */
  publishSilenceMs: number
}

export const DEFAULT_TIMINGS: SessionTimings = {
  connectMs: 10_000,
  firstMediaMs: 15_000,
  secondTrackGraceMs: 1_500,
  mediaSilenceMs: 3_000,
  repullMediaMs: 10_000,
  publisherWaitMs: 15_000,
  republishBackoffMs: [250, 500, 1000, 2000, 4000],
  keyframeIntervalMs: 5_000,
  publishSilenceMs: 2_500,
}

export interface SessionContext {
  calls: CallsClient
  /** WHIP endpoint for this session's path. */
  targetUrl: string
  targetToken?: string | undefined
  /** werift options of the pull leg (towards Calls) and the publish leg (towards MediaMTX). */
  pullPeer: PeerOptions
  publishPeer: PeerOptions
  timings: SessionTimings
  log: Log
  /** Called once the session has ended, whatever the reason. */
  onClosed: (session: RelaySession) => void
}

interface Offered {
  mid: string
  kind: 'audio' | 'video'
  trackName: string
}

/** The guest offer's sending m-sections, with the track names the relay gives them on Calls. */
export function offeredTracks(offer: string): Offered[] {
  let parsed: SessionDescription
  try {
    parsed = SessionDescription.parse(offer)
  } catch (error) {
    throw new R58Error('E_PROTOCOL', `the offer is not valid SDP (${(error as Error).message})`)
  }
  return parsed.media
    .filter((m) => m.kind === 'audio' || m.kind === 'video')
    .map((m, index) => {
      const mid = m.rtp.muxId ?? String(index)
      return {mid, kind: m.kind as 'audio' | 'video', trackName: m.kind}
    })
}

/** The publish leg offers exactly the codec the guest sends (MediaMTX accepts VP8, H.264, Opus, …). */
function codecsLike(forwarders: readonly TrackForwarder[]): {
  audio: RTCRtpCodecParameters[]
  video: RTCRtpCodecParameters[]
} {
  const pick = (candidates: RTCRtpCodecParameters[], mime: string | undefined) => {
    const matching = candidates.filter((c) => c.mimeType.toLowerCase() === mime?.toLowerCase())
    return matching.length > 0 ? matching : candidates
  }
  const mimeOf = (kind: 'audio' | 'video') => forwarders.find((f) => f.kind === kind)?.mimeType
  return {audio: pick(audioCodecs(), mimeOf('audio')), video: pick(videoCodecs(), mimeOf('video'))}
}

/** Calls sessions a pull leg tries when one is gone (410) before its exchange finished. */
const PULL_SESSION_ATTEMPTS = 3

const codecLabel = (mime: string | undefined) => {
  const name = mime?.split('/')[1] ?? '?'
  return name.toLowerCase() === 'opus' ? 'Opus' : name.toUpperCase()
}

export class RelaySession {
  readonly id: string
  readonly path: string
  readonly guest: string
  readonly since = new Date().toISOString()
  state: RelaySessionState = 'negotiating'
  lastError: string | null = null
  republishes = 0

  readonly #ctx: SessionContext
  readonly #abort = new AbortController()
  /** The guest's push session on Calls, and its tracks (absent in pull mode: someone else owns them). */
  #push: {sessionId: string; mids: string[]} | undefined
  readonly #source: {sessionId: string; tracks: {trackName: string; kind?: 'audio' | 'video'}[]}
  #pull: {sessionId: string; peer: RTCPeerConnection; mids: string[]} | undefined
  #publish: {peer: RTCPeerConnection; whip: WhipSession | undefined} | undefined
  #forwarders = new Map<'audio' | 'video', TrackForwarder>()
  /** Traffic of forwarders already stopped (a re-pull replaces them): the session's counters never go back. */
  #past = {received: {packets: 0, bytes: 0, lost: 0}, sent: {packets: 0, bytes: 0, lost: 0}, keyframeRequests: 0}
  #silenceTimer: NodeJS.Timeout | undefined
  #closing: Promise<void> | undefined

  constructor(
    init: {
      id: string
      path: string
      guest: string
      source: RelaySession['source']
      push?: {sessionId: string; mids: string[]}
    },
    ctx: SessionContext,
  ) {
    this.id = init.id
    this.path = init.path
    this.guest = init.guest
    this.#source = init.source
    this.#push = init.push
    this.#ctx = ctx
  }

  get source(): {sessionId: string; tracks: {trackName: string; kind?: 'audio' | 'video'}[]} {
    return this.#source
  }

  get closed(): boolean {
    return this.state === 'closed'
  }

  info(): RelaySessionInfo {
    const sum = (pick: (f: TrackForwarder) => {packets: number; bytes: number; lost: number}, past: LegStats) => {
      const total = {...past}
      for (const f of this.#forwarders.values()) {
        const s = pick(f)
        total.packets += s.packets
        total.bytes += s.bytes
        total.lost += s.lost
      }
      return total
    }
    return {
      id: this.id,
      path: this.path,
      guest: this.guest,
      state: this.state,
      since: this.since,
      tracks: [...this.#forwarders.values()].map((f) => ({kind: f.kind, codec: codecLabel(f.mimeType)})),
      legs: {fromCalls: sum((f) => f.received, this.#past.received), toMediamtx: sum((f) => f.sent, this.#past.sent)},
      keyframeRequests: [...this.#forwarders.values()].reduce(
        (n, f) => n + f.keyframeRequestsForwarded,
        this.#past.keyframeRequests,
      ),
      republishes: this.republishes,
      lastError: this.lastError,
    }
  }

  #log(level: 'info' | 'warn' | 'error', event: string, msg: string, fields: Record<string, unknown> = {}): void {
    this.#ctx.log({level, event, msg, session: this.id, path: this.path, ...fields})
  }

  /** Runs the pull and publish legs until the session closes. Never throws. */
  async run(): Promise<void> {
    const signal = this.#abort.signal
    const {timings} = this.#ctx
    try {
      for (let first = true; !signal.aborted; first = false) {
        await this.#pullLeg()
        if (!(await this.#waitForMedia(first ? timings.firstMediaMs : timings.repullMediaMs))) {
          await this.close(first ? 'no media from the guest reached Calls' : 'the guest stopped sending')
          return
        }
        const lost = this.#pullLost()
        await Promise.race([lost, this.#publishLoop(lost)])
        if (signal.aborted) break
        // The pull leg went quiet or died (Calls session expired, connectivity lost), or the guest left:
        // pull again with a new session; no media then means the guest is gone.
        this.state = 'reconnecting'
        this.#log('warn', 'relay.pull.lost', 'no media from Calls; pulling again with a new session')
        await this.#closePublish()
        await this.#closePull()
      }
    } catch (error) {
      if (!signal.aborted) {
        this.lastError = error instanceof Error ? error.message : String(error)
        this.#log('error', 'relay.session.failed', this.lastError)
        await this.close(`failed: ${this.lastError}`)
      }
    }
  }

  /** Settles when the pull leg's peer fails or closes, or no RTP has come from Calls for mediaSilenceMs. */
  #pullLost(): Promise<void> {
    const peer = this.#pull?.peer
    const silence = this.#ctx.timings.mediaSilenceMs
    return new Promise<void>((resolve) => {
      let packets = -1
      let quietSince = Date.now()
      const finish = () => {
        clearInterval(this.#silenceTimer)
        this.#silenceTimer = undefined
        subscription?.unSubscribe()
        resolve()
      }
      this.#silenceTimer = setInterval(
        () => {
          const now = this.info().legs.fromCalls.packets
          if (now !== packets) {
            packets = now
            quietSince = Date.now()
          } else if (Date.now() - quietSince >= silence) {
            finish()
          }
        },
        Math.max(50, Math.floor(silence / 6)),
      )
      const subscription = peer?.connectionStateChange.subscribe((state) => {
        if (state === 'failed' || state === 'closed') finish()
      })
      this.#abort.signal.addEventListener('abort', finish, {once: true})
    })
  }

  /**
   * Pulls the guest's tracks with a new Calls session. A session that Calls reports gone (410) before the
   * exchange finished is replaced, up to PULL_SESSION_ATTEMPTS sessions; 429, 425 and 5xx are the client's
   * bounded retries, and a publisher that is not sending yet its bounded wait.
   */
  async #pullLeg(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#pullOnce()
        return
      } catch (error) {
        if (!isSessionGone(error) || attempt >= PULL_SESSION_ATTEMPTS || this.#abort.signal.aborted) throw error
        this.#log(
          'warn',
          'relay.pull.retry',
          `the Calls pull session was gone (${(error as Error).message}); pulling with a new session (${attempt + 1} of ${PULL_SESSION_ATTEMPTS})`,
          {attempt: attempt + 1},
        )
        await this.#closePull()
      }
    }
  }

  async #pullOnce(): Promise<void> {
    const signal = this.#abort.signal
    this.state = 'pulling'
    const {calls, timings} = this.#ctx
    const session = await calls.newSession({signal})
    const peer = createPeer(this.#ctx.pullPeer)
    this.#pull = {sessionId: session.sessionId, peer, mids: []}
    peer.onTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((track) => {
        // werift knows each m-section's kind; Calls' track names may be anything (`cam`, `mic`).
        const kind = track.kind as 'audio' | 'video'
        this.#forwarders.get(kind)?.stop()
        this.#forwarders.set(
          kind,
          new TrackForwarder({
            kind,
            source: track,
            receiver: transceiver.receiver,
            minKeyframeIntervalMs: timings.keyframeIntervalMs,
          }),
        )
      })
    })
    const pulled = await calls.pullTracks(session.sessionId, {
      signal,
      waitForPublisherMs: timings.publisherWaitMs,
      tracks: this.#source.tracks.map((t) => ({
        sessionId: this.#source.sessionId,
        trackName: t.trackName,
        ...(t.kind && {kind: t.kind}),
      })),
      answer: async (offer) => {
        await peer.setRemoteDescription(offer)
        await peer.setLocalDescription(await peer.createAnswer())
        return localDescription(peer)
      },
    })
    this.#pull.mids = pulled.tracks.map((t) => t.mid ?? '').filter(Boolean)
    await waitForConnected(peer, timings.connectMs, 'relay → Calls connection', signal)
    this.#log('info', 'relay.pull.connected', `pulling ${pulled.tracks.length} track(s) from Calls`, {
      callsSession: session.sessionId,
    })
  }

  /**
   * Waits for the first track's RTP, then briefly for the other, so MediaMTX gets both within its 2 s.
   * False when nothing arrives within `waitMs`.
   */
  async #waitForMedia(waitMs: number): Promise<boolean> {
    const signal = this.#abort.signal
    this.state = 'waiting-media'
    const deadline = Date.now() + waitMs
    while (![...this.#forwarders.values()].some((f) => f.flowing)) {
      if (Date.now() > deadline) return false
      await sleep(20, signal)
    }
    const expected = this.#source.tracks.length
    const graceEnds = Date.now() + this.#ctx.timings.secondTrackGraceMs
    while (Date.now() < graceEnds && [...this.#forwarders.values()].filter((f) => f.flowing).length < expected) {
      await sleep(20, signal)
    }
    return true
  }

  /** Publishes into MediaMTX and republishes whenever MediaMTX drops the session, until `stop` resolves. */
  async #publishLoop(stop: Promise<void>): Promise<void> {
    const signal = this.#abort.signal
    const {timings} = this.#ctx
    let stopped = false
    void stop.then(() => {
      stopped = true
    })
    let attempt = 0
    while (!signal.aborted && !stopped) {
      try {
        const {dropped} = await this.#publishOnce()
        attempt = 0
        this.state = 'live'
        await Promise.race([dropped, stop])
        if (signal.aborted || stopped) return
        this.#log('warn', 'relay.publish.dropped', 'MediaMTX dropped the session; publishing again')
      } catch (error) {
        if (signal.aborted) return
        this.lastError = error instanceof Error ? error.message : String(error)
        this.#log('warn', 'relay.publish.failed', `publishing into MediaMTX failed: ${this.lastError}`)
      }
      await this.#closePublish()
      this.state = 'reconnecting'
      this.republishes += 1
      const wait = timings.republishBackoffMs[Math.min(attempt, timings.republishBackoffMs.length - 1)] ?? 1000
      attempt += 1
      await sleep(wait, signal)
    }
  }

  /** One WHIP publish; `dropped` settles when MediaMTX drops it (wrapped: an async function would await it). */
  async #publishOnce(): Promise<{dropped: Promise<void>}> {
    const signal = this.#abort.signal
    this.state = 'publishing'
    const forwarders = [...this.#forwarders.values()].filter((f) => f.flowing)
    const peer = createPeer({...this.#ctx.publishPeer, codecs: codecsLike(forwarders)})
    this.#publish = {peer, whip: undefined}
    const senders = forwarders.map((f) => ({
      forwarder: f,
      sender: peer.addTransceiver(f.output, {direction: 'sendonly'}).sender,
    }))
    await peer.setLocalDescription(await peer.createOffer())
    const whip = await whipPost(this.#ctx.targetUrl, localDescription(peer).sdp, {
      token: this.#ctx.targetToken,
      signal,
      timeoutMs: this.#ctx.timings.connectMs,
    })
    this.#publish.whip = whip
    await peer.setRemoteDescription({type: 'answer', sdp: whip.answer})
    for (const {forwarder, sender} of senders) forwarder.attachSender(sender)
    await waitForConnected(peer, this.#ctx.timings.connectMs, 'relay → MediaMTX connection', signal)
    this.#log('info', 'relay.publish.live', `publishing into ${this.#ctx.targetUrl}`, {mediamtxSession: whip.id})
    let lastRtcpAt = Date.now()
    for (const {sender} of senders) {
      sender.onRtcp.subscribe(() => {
        lastRtcpAt = Date.now()
      })
    }
    const silence = this.#ctx.timings.publishSilenceMs
    const dropped = new Promise<void>((resolve) => {
      const watch = setInterval(
        () => {
          if (Date.now() - lastRtcpAt > silence) finish()
        },
        Math.max(100, Math.floor(silence / 5)),
      )
      const finish = () => {
        clearInterval(watch)
        resolve()
      }
      peer.connectionStateChange.subscribe((state) => {
        if (state === 'failed' || state === 'closed' || state === 'disconnected') finish()
      })
    })
    return {dropped}
  }

  async #closePublish(): Promise<void> {
    const publish = this.#publish
    this.#publish = undefined
    if (!publish) return
    if (publish.whip) {
      await whipDelete(publish.whip, {timeoutMs: 2000}).catch(() => {
        // MediaMTX may be gone already (that is why we are here); nothing else to free there.
      })
    }
    await publish.peer.close().catch(() => {})
  }

  async #closePull(): Promise<void> {
    const pull = this.#pull
    this.#pull = undefined
    const {legs, keyframeRequests} = this.info()
    this.#past = {received: legs.fromCalls, sent: legs.toMediamtx, keyframeRequests}
    for (const forwarder of this.#forwarders.values()) forwarder.stop()
    this.#forwarders.clear()
    if (!pull) return
    if (pull.mids.length > 0) {
      await this.#ctx.calls.closeTracks(pull.sessionId, {mids: pull.mids, force: true}).catch(() => {})
    }
    await pull.peer.close().catch(() => {})
  }

  /** Ends the session: DELETE in MediaMTX, close the Calls tracks, free peers, forwarders and timers. */
  close(reason: string): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort()
      clearInterval(this.#silenceTimer)
      this.#silenceTimer = undefined
      await this.#closePublish()
      await this.#closePull()
      if (this.#push) {
        await this.#ctx.calls
          .closeTracks(this.#push.sessionId, {mids: this.#push.mids, force: true})
          .catch((error: unknown) => {
            if (!isSessionGone(error))
              this.#log(
                'warn',
                'relay.close.tracks',
                `closing the guest's Calls tracks failed: ${(error as Error).message}`,
              )
          })
      }
      this.state = 'closed'
      this.#log('info', 'relay.session.closed', reason)
      this.#ctx.onClosed(this)
    })()
    return this.#closing
  }
}
