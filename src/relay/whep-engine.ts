/**
 * The relay engine in `whep` mode: guests push to Calls as in forward mode, but instead of pulling their media
 * into this process the relay adds a MediaMTX path whose `source` is the WHEP façade URL of that guest.
 * MediaMTX then pulls the guest straight from Calls. The relay watches each path through the control API:
 * - the path is gone (MediaMTX restarted: API paths live in memory only) → it is added again;
 * - bytes stop growing for `guestGoneMs` while MediaMTX answers, or the guest's Calls session is gone (410)
 *   → the guest left: the session ends;
 * - MediaMTX's own WHEP client re-pulls when its source ends (a Calls 410 on the pull session, a network
 *   drop): every re-pull is a new Calls session, made by the façade.
 * Closing removes the path (unless kept), closes the pulled and the pushed tracks on Calls, and stops timers.
 */
import {SessionDescription} from 'werift'
import type {CallsClient} from '../calls/calls-client.js'
import {isSessionGone} from '../calls/calls-errors.js'
import type {IceServer} from '../ice/ice-url.js'
import type {Log} from '../util/log.js'
import type {OpenSessionInput, OpenSessionResult, PullInput, RelayEngine, RelaySessionInfo} from './engine.js'
import type {MediamtxPaths} from './mediamtx-paths.js'
import {MEDIA_ROUTE} from './mode.js'
import {requirePublished} from './pull-check.js'
import {pushGuestOffer} from './push-guest.js'
import {newSessionId} from './session-id.js'
import {newWhepToken, type WhepFacade} from './whep-facade.js'

export interface WhepTimings {
  /** How often each path is checked in MediaMTX. */
  watchMs: number
  /** No new bytes in MediaMTX for this long (while its API answers): the guest has left. */
  guestGoneMs: number
  /**
   * Before the path's first bytes: how long MediaMTX may take to pull at all (its retries wait 5 s each, and
   * the guest's media must reach Calls first).
   */
  firstMediaMs: number
  /** How often the guest's Calls session is checked (gone: the guest left). Calls is rate-limited. */
  callsCheckMs: number
}

export const DEFAULT_WHEP_TIMINGS: WhepTimings = {
  watchMs: 1000,
  guestGoneMs: 15_000,
  firstMediaMs: 60_000,
  callsCheckMs: 10_000,
}

export interface WhepRelayEngineOptions {
  calls: CallsClient
  facade: WhepFacade
  /** Base URL MediaMTX reaches the façade at, e.g. `http://127.0.0.1:8891`. */
  facadeUrl: string
  paths: MediamtxPaths
  /** MediaMTX path name for a guest path; `{path}` is replaced. Default `{path}`. */
  pathTemplate?: string
  /** Leave the MediaMTX path in place when the guest leaves (it then shows as not ready). */
  keepPaths?: boolean
  guestIceServers: () => Promise<IceServer[]>
  timings?: Partial<WhepTimings>
  log: Log
}

interface Guest {
  id: string
  path: string
  mediamtxPath: string
  guest: string
  since: string
  state: RelaySessionInfo['state']
  push: {sessionId: string; mids: string[]} | undefined
  tracks: {kind: 'audio' | 'video'; codec: string}[]
  lastError: string | null
  /** The path configuration written into MediaMTX (written again after a restart). */
  conf: Record<string, unknown>
  readds: number
  ready: boolean
  inboundBytes: number
  lastProgressAt: number
  /** The path has had bytes at least once. */
  flowed: boolean
  /** When the guest's Calls session was last asked about. */
  callsCheckedAt: number
  timer: NodeJS.Timeout | undefined
  checking: boolean
  closing: Promise<void> | undefined
}

function codecsOf(offer: string): {kind: 'audio' | 'video'; codec: string}[] {
  try {
    return SessionDescription.parse(offer)
      .media.filter((m) => m.kind === 'audio' || m.kind === 'video')
      .map((m) => {
        const name = m.rtp.codecs[0]?.mimeType.split('/')[1] ?? '?'
        return {kind: m.kind as 'audio' | 'video', codec: name.toLowerCase() === 'opus' ? 'Opus' : name.toUpperCase()}
      })
  } catch {
    return []
  }
}

/** `whep://host:port/whep/<path>?token=…` from the façade's http(s) base URL. */
export function whepSourceUrl(facadeUrl: string, path: string, token: string): string {
  const base = facadeUrl.replace(/\/+$/, '').replace(/^http(s?):/, 'whep$1:')
  return `${base}/whep/${path.split('/').map(encodeURIComponent).join('/')}?token=${token}`
}

export class WhepRelayEngine implements RelayEngine {
  readonly #options: WhepRelayEngineOptions
  readonly #timings: WhepTimings
  readonly #guests = new Map<string, Guest>()

  constructor(options: WhepRelayEngineOptions) {
    this.#options = options
    this.#timings = {...DEFAULT_WHEP_TIMINGS, ...options.timings}
  }

  #log(level: 'info' | 'warn' | 'error', event: string, msg: string, guest: Guest, fields = {}): void {
    this.#options.log({level, event, msg, session: guest.id, path: guest.path, ...fields})
  }

  async #start(
    init: Pick<Guest, 'path' | 'guest' | 'push' | 'tracks'>,
    source: {sessionId: string; tracks: {trackName: string; kind?: 'audio' | 'video'}[]},
  ): Promise<Guest> {
    const mediamtxPath = (this.#options.pathTemplate ?? '{path}').replaceAll('{path}', init.path)
    // MediaMTX has one source per path: a new guest on the same path replaces the previous one.
    for (const other of this.#guests.values()) {
      if (other.mediamtxPath === mediamtxPath) await this.close(other.id, 'replaced by a new guest on this path')
    }
    const token = newWhepToken()
    const guest: Guest = {
      ...init,
      id: newSessionId(),
      mediamtxPath,
      conf: {source: whepSourceUrl(this.#options.facadeUrl, mediamtxPath, token)},
      since: new Date().toISOString(),
      state: 'negotiating',
      lastError: null,
      readds: 0,
      ready: false,
      inboundBytes: 0,
      lastProgressAt: Date.now(),
      flowed: false,
      callsCheckedAt: Date.now(),
      timer: undefined,
      checking: false,
      closing: undefined,
    }
    this.#options.facade.register({path: mediamtxPath, token, calls: source})
    this.#guests.set(guest.id, guest)
    try {
      await this.#options.paths.ensure(mediamtxPath, guest.conf)
    } catch (error) {
      await this.close(guest.id, `MediaMTX refused the path: ${(error as Error).message}`)
      throw error
    }
    guest.state = 'waiting-media'
    this.#log('info', 'relay.whep.path', `MediaMTX path ${mediamtxPath} pulls this guest from Calls over WHEP`, guest)
    guest.timer = setInterval(() => void this.#check(guest), this.#timings.watchMs)
    return guest
  }

  /** One look at the path in MediaMTX; never throws. */
  async #check(guest: Guest): Promise<void> {
    if (guest.checking || guest.closing) return
    guest.checking = true
    const {paths, calls} = this.#options
    try {
      // One snapshot of MediaMTX's paths serves every guest's check in this interval.
      const snapshot = await paths.snapshot(this.#timings.watchMs / 2)
      if (!snapshot.configured.has(guest.mediamtxPath)) {
        guest.readds += 1
        guest.state = 'reconnecting'
        guest.lastProgressAt = Date.now()
        this.#log('warn', 'relay.whep.readd', 'MediaMTX lost the path (restarted?); adding it again', guest)
        await paths.ensure(guest.mediamtxPath, guest.conf)
        return
      }
      const live = snapshot.live.get(guest.mediamtxPath)
      const bytes = live?.inboundBytes ?? 0
      if (bytes !== guest.inboundBytes) {
        guest.lastProgressAt = Date.now()
        guest.flowed ||= bytes > 0
      }
      guest.inboundBytes = bytes
      guest.ready = live?.ready === true
      guest.state = guest.ready && Date.now() - guest.lastProgressAt < 3000 ? 'live' : 'waiting-media'
      guest.lastError = null
      const quiet = Date.now() - guest.lastProgressAt
      if (guest.flowed && quiet >= this.#timings.guestGoneMs) {
        await this.close(guest.id, 'the guest stopped sending')
        return
      }
      if (!guest.flowed && quiet >= this.#timings.firstMediaMs) {
        await this.close(guest.id, "MediaMTX received none of the guest's media")
        return
      }
      if (guest.push && Date.now() - guest.callsCheckedAt >= this.#timings.callsCheckMs) {
        guest.callsCheckedAt = Date.now()
        await calls.getSession(guest.push.sessionId).catch(async (error: unknown) => {
          if (isSessionGone(error)) await this.close(guest.id, "the guest's Calls session is gone")
        })
      }
    } catch (error) {
      // MediaMTX's API is down (restarting): that is not the guest leaving.
      guest.lastError = error instanceof Error ? error.message : String(error)
      guest.lastProgressAt = Date.now()
      guest.state = 'reconnecting'
    } finally {
      guest.checking = false
    }
  }

  async open(input: OpenSessionInput): Promise<OpenSessionResult> {
    const {calls} = this.#options
    const pushed = await pushGuestOffer(calls, input.path, input.offer)
    const {push} = pushed
    const guest = await this.#start(
      {path: input.path, guest: input.guest, push, tracks: codecsOf(input.offer)},
      pushed.source,
    ).catch(async (error: unknown) => {
      await calls.closeTracks(push.sessionId, {mids: push.mids, force: true}).catch(() => {})
      throw error
    })
    return {id: guest.id, answer: pushed.answer}
  }

  async pull(input: PullInput): Promise<{id: string}> {
    await requirePublished(this.#options.calls, input)
    const guest = await this.#start(
      {path: input.path, guest: `calls:${input.sessionId}`, push: undefined, tracks: []},
      {sessionId: input.sessionId, tracks: input.trackNames.map((trackName) => ({trackName}))},
    )
    return {id: guest.id}
  }

  close(id: string, reason: string): Promise<boolean> {
    const guest = this.#guests.get(id)
    if (!guest) return Promise.resolve(false)
    guest.closing ??= (async () => {
      clearInterval(guest.timer)
      guest.timer = undefined
      const {facade, paths, calls, keepPaths} = this.#options
      await facade.unregister(guest.mediamtxPath)
      if (!keepPaths) {
        await paths.remove(guest.mediamtxPath).catch((error: unknown) => {
          this.#log(
            'warn',
            'relay.whep.remove',
            `removing the MediaMTX path failed: ${(error as Error).message}`,
            guest,
          )
        })
      }
      if (guest.push) {
        await calls.closeTracks(guest.push.sessionId, {mids: guest.push.mids, force: true}).catch(() => {})
      }
      guest.state = 'closed'
      this.#guests.delete(id)
      this.#log('info', 'relay.session.closed', reason, guest)
    })()
    return guest.closing.then(() => true)
  }

  has(id: string): boolean {
    return this.#guests.has(id)
  }

  list(): RelaySessionInfo[] {
    const zero = {packets: 0, bytes: 0, lost: 0}
    return [...this.#guests.values()].map((g) => {
      const facade = this.#options.facade.stats(g.mediamtxPath)
      return {
        id: g.id,
        path: g.path,
        guest: g.guest,
        state: g.state,
        since: g.since,
        tracks: g.tracks,
        legs: {fromCalls: {...zero}, toMediamtx: {...zero}},
        keyframeRequests: 0,
        republishes: g.readds,
        lastError: g.lastError ?? facade.lastError,
        media: {
          mode: 'whep',
          route: MEDIA_ROUTE.whep,
          mediamtxPath: g.mediamtxPath,
          ready: g.ready,
          inboundBytes: g.inboundBytes,
          pulls: facade.pulls,
        },
      }
    })
  }

  iceServers(): Promise<IceServer[]> {
    return this.#options.guestIceServers()
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.#guests.keys()].map((id) => this.close(id, 'relay shutting down')))
    await this.#options.facade.shutdown()
  }
}
