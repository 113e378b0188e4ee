/**
 * The emulator's session registry: creation within limits, lookup (410 for expired sessions), publication
 * lookup for pulls, and garbage collection as Calls documents it (docs/calls-api.md "Timings and limits"):
 * - a track with no media for `inactivityMs` (30 s) is collected;
 * - a session that never connects expires after `unconnectedExpiryMs`; a connected one after its
 *   connection has been lost for `inactivityMs`, or silent (no consent check, RTP or RTCP) for as long
 *   (10 s at least: endpoints check consent every 5 s and ICE-lite never does);
 * - later requests on an expired session answer 410 `session_error`.
 * Expired sessions close their peer connections; close() frees everything.
 */
import {randomBytes} from 'node:crypto'
import type {Log} from '../../util/log.js'
import {ApiError} from './api-error.js'
import {emptyCounters, type MediaCounters, type Publication} from './sfu-forward.js'
import {EmulatedSession} from './sfu-session.js'

export interface EmulatorLimits {
  /** Live sessions at once (all apps). Default 1000. */
  maxSessions: number
  /** Tracks per request (Calls: 64). */
  maxTracksPerRequest: number
  /** Tracks per session. Default 256. */
  maxTracksPerSession: number
  /** Request body size (larger: 413 `payload_too_large`). Default 256 KiB. */
  maxBodyBytes: number
  /** Expired session ids remembered for 410 answers. Default 10000. */
  maxTombstones: number
  /** API calls per second per session; more answer 429 (Calls: 50). */
  requestsPerSecond: number
}

export const DEFAULT_LIMITS: EmulatorLimits = {
  maxSessions: 1000,
  maxTracksPerRequest: 64,
  maxTracksPerSession: 256,
  maxBodyBytes: 256 * 1024,
  maxTombstones: 10_000,
  requestsPerSecond: 50,
}

/** The service's documented timings (docs/calls-api.md "Timings and limits"); every one is an option. */
export const DEFAULT_TIMINGS = {
  /** A track without media for this long is collected; a lost session expires after it. */
  inactivityMs: 30_000,
  /** A session that never connects expires after this. */
  unconnectedExpiryMs: 30_000,
  /** Operations that need the connection wait this long for it. */
  connectWaitMs: 5000,
} as const

export interface StateOptions {
  inactivityMs: number
  unconnectedExpiryMs: number
  hostAddresses: readonly string[]
  limits: EmulatorLimits
  now: () => number
  log: Log
}

/**
 * A connected session is lost after this much silence at least (no STUN consent check, RTP or RTCP):
 * endpoints send consent checks every 5 s (RFC 7675), and the ICE-lite side never sends its own.
 */
const MIN_SILENCE_MS = 10_000

const NOT_FOUND_TRACK =
  'Track not found on remote peer. Make sure the publisher peer is connected and sending packets for this track'
const EMPTY_TRACK = 'No track data from remote peer. Make sure the publisher peer is sending packets for this track'

export type PublicationLookup =
  | {publication: Publication}
  | {errorCode: 'not_found_track_error' | 'empty_track_error'; errorDescription: string}

export class EmulatorState {
  readonly sessions = new Map<string, EmulatedSession>()
  readonly counters: MediaCounters = emptyCounters()
  readonly totals = {sessionsCreated: 0, sessionsExpired: 0, tracksCollected: 0}
  readonly #tombstones = new Map<string, string>()
  readonly #closing = new Set<Promise<void>>()
  readonly #options: StateOptions
  #closed = false

  constructor(options: StateOptions) {
    this.#options = options
  }

  get limits(): EmulatorLimits {
    return this.#options.limits
  }

  create(appId: string, thirdparty: boolean): EmulatedSession {
    if (this.#closed) throw new ApiError(503, 'temporarily_unavailable_error', 'The emulator is shutting down')
    if (this.sessions.size >= this.#options.limits.maxSessions) {
      throw new ApiError(
        503,
        'temporarily_unavailable_error',
        `Session limit reached (${this.#options.limits.maxSessions}); sessions expire when unused`,
        {'retry-after': '1'},
      )
    }
    const id = randomBytes(16).toString('hex')
    const session = new EmulatedSession(id, appId, thirdparty, {
      hostAddresses: this.#options.hostAddresses,
      counters: this.counters,
      now: this.#options.now,
      onConnectionState: (s, state) =>
        this.#options.log({
          level: 'debug',
          event: 'calls.emulator.connection',
          msg: `session ${s.id} ${state}`,
          sessionId: s.id,
          state,
        }),
    })
    this.sessions.set(id, session)
    this.totals.sessionsCreated += 1
    return session
  }

  /** The live session, or 410 (expired) / 404 (never existed) `session_error`. */
  get(appId: string, id: string): EmulatedSession {
    const session = this.sessions.get(id)
    if (session && session.appId === appId) return session
    const reason = this.#tombstones.get(`${appId}/${id}`)
    if (reason !== undefined) {
      throw new ApiError(410, 'session_error', `Session ${id} is no longer available (${reason}); create a new session`)
    }
    throw new ApiError(404, 'session_error', `Session ${id} not found`)
  }

  /** The publication a pull asks for, or the per-track error Calls gives while it is not available. */
  findPublication(appId: string, sessionId: string, trackName: string): PublicationLookup {
    const owner = this.sessions.get(sessionId)
    const publication = owner?.appId === appId ? owner.publications.get(trackName) : undefined
    if (!owner || !publication || publication.closed || !owner.connected || publication.lastPacketAt === undefined) {
      return {errorCode: 'not_found_track_error', errorDescription: NOT_FOUND_TRACK}
    }
    const emptyAfter = Math.min(10_000, this.#options.inactivityMs)
    if (this.#options.now() - publication.lastPacketAt > emptyAfter) {
      return {errorCode: 'empty_track_error', errorDescription: EMPTY_TRACK}
    }
    return {publication}
  }

  /**
   * Waits (up to `timeoutMs`) until each publication a pull names has media: a publication that exists but
   * whose publisher is not connected or not sending yet is the normal case right after the publisher's
   * connect, and Calls waits for it (docs/calls-api.md "Timings"). Tracks that do not exist are not waited
   * for; the lookup after the wait decides the per-track answer.
   */
  async awaitPublications(
    appId: string,
    tracks: readonly {sessionId?: string; trackName?: string}[],
    timeoutMs: number,
  ): Promise<void> {
    const pending = tracks.flatMap((track) => {
      const owner = this.sessions.get(track.sessionId ?? '')
      const publication = owner?.appId === appId ? owner.publications.get(track.trackName ?? '') : undefined
      return publication && !publication.closed && publication.lastPacketAt === undefined ? [publication] : []
    })
    await Promise.all([...new Set(pending)].map((publication) => publication.waitForMedia(timeoutMs)))
  }

  /** Removes a session for good: later requests get 410. */
  expire(session: EmulatedSession, reason: string): void {
    if (!this.sessions.delete(session.id)) return
    this.#tombstones.set(`${session.appId}/${session.id}`, reason)
    while (this.#tombstones.size > this.#options.limits.maxTombstones) {
      const oldest = this.#tombstones.keys().next().value
      if (oldest === undefined) break
      this.#tombstones.delete(oldest)
    }
    this.totals.sessionsExpired += 1
    this.#options.log({
      level: 'info',
      event: 'calls.emulator.session.expired',
      msg: `session ${session.id} expired (${reason})`,
      sessionId: session.id,
      reason,
    })
    const closing = session.close().finally(() => this.#closing.delete(closing))
    this.#closing.add(closing)
  }

  /** One garbage-collection pass (run on a timer, and by tests). */
  sweep(): void {
    const now = this.#options.now()
    const {inactivityMs, unconnectedExpiryMs} = this.#options
    for (const session of [...this.sessions.values()]) {
      if (session.busy) continue
      if (!session.everConnected) {
        if (now - session.createdAt > unconnectedExpiryMs) this.expire(session, 'never connected')
        continue
      }
      const lost = session.lostAt !== undefined && now - session.lostAt > inactivityMs
      const silent = now - session.lastActivityAt > Math.max(inactivityMs, MIN_SILENCE_MS)
      if (lost || silent) {
        this.expire(session, session.lostAt === undefined ? 'no activity' : 'connection lost')
        continue
      }
      for (const publication of [...session.publications.values()]) {
        if (publication.closed) continue
        if (now - (publication.lastPacketAt ?? publication.createdAt) > inactivityMs) {
          session.closeTrack(publication.mid)
          this.totals.tracksCollected += 1
          this.#options.log({
            level: 'info',
            event: 'calls.emulator.track.collected',
            msg: `track ${publication.trackName} of session ${session.id} had no media for ${inactivityMs} ms`,
            sessionId: session.id,
            trackName: publication.trackName,
          })
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const session of [...this.sessions.values()]) this.expire(session, 'emulator closed')
    await Promise.allSettled([...this.#closing])
  }
}
