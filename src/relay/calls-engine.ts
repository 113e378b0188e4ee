/**
 * The relay engine over Cloudflare Calls: guests push to Calls (their offer, Calls' answer back to them); the
 * relay pulls their tracks into its own Calls session and republishes them into MediaMTX with WHIP.
 */
import type {CallsClient} from '../calls/calls-client.js'
import type {IceServer} from '../ice/ice-url.js'
import type {PeerOptions} from '../media/peer.js'
import type {Log} from '../util/log.js'
import type {OpenSessionInput, OpenSessionResult, PullInput, RelayEngine, RelaySessionInfo} from './engine.js'
import {type TrafficTotals, totalsOf} from './metrics.js'
import {requirePublished} from './pull-check.js'
import {pushGuestOffer} from './push-guest.js'
import {DEFAULT_TIMINGS, RelaySession, type SessionTimings} from './relay-session.js'
import {newSessionId} from './session-id.js'

export interface CallsRelayEngineOptions {
  calls: CallsClient
  /** WHIP URL template; `{path}` is replaced by the guest's path. */
  target: string
  targetToken?: string | undefined
  pullPeer: PeerOptions
  publishPeer: PeerOptions
  /** ICE servers handed to guests (Link headers). */
  guestIceServers: () => Promise<IceServer[]>
  timings?: Partial<SessionTimings>
  log: Log
}

export function targetUrlFor(template: string, path: string): string {
  return template.replaceAll('{path}', path.split('/').map(encodeURIComponent).join('/'))
}

export class CallsRelayEngine implements RelayEngine {
  readonly #options: CallsRelayEngineOptions
  readonly #sessions = new Map<string, RelaySession>()
  readonly #timings: SessionTimings
  readonly #running = new Set<Promise<void>>()
  #ended: TrafficTotals = totalsOf([])

  constructor(options: CallsRelayEngineOptions) {
    this.#options = options
    this.#timings = {...DEFAULT_TIMINGS, ...options.timings}
  }

  #session(init: ConstructorParameters<typeof RelaySession>[0]): RelaySession {
    const session = new RelaySession(init, {
      calls: this.#options.calls,
      targetUrl: targetUrlFor(this.#options.target, init.path),
      targetToken: this.#options.targetToken,
      pullPeer: this.#options.pullPeer,
      publishPeer: this.#options.publishPeer,
      timings: this.#timings,
      log: this.#options.log,
      onClosed: (closed) => {
        if (this.#sessions.delete(closed.id)) this.#ended = totalsOf([closed.info()], this.#ended)
      },
    })
    this.#sessions.set(session.id, session)
    const running = session.run()
    this.#running.add(running)
    void running.finally(() => this.#running.delete(running))
    return session
  }

  async open(input: OpenSessionInput): Promise<OpenSessionResult> {
    const pushed = await pushGuestOffer(this.#options.calls, input.path, input.offer)
    const session = this.#session({
      id: newSessionId(),
      path: input.path,
      guest: input.guest,
      source: pushed.source,
      push: pushed.push,
    })
    return {id: session.id, answer: pushed.answer}
  }

  async pull(input: PullInput): Promise<{id: string}> {
    await requirePublished(this.#options.calls, input)
    const session = this.#session({
      id: newSessionId(),
      path: input.path,
      guest: `calls:${input.sessionId}`,
      source: {sessionId: input.sessionId, tracks: input.trackNames.map((trackName) => ({trackName}))},
    })
    return {id: session.id}
  }

  async close(id: string, reason: string): Promise<boolean> {
    const session = this.#sessions.get(id)
    if (!session) return false
    await session.close(reason)
    return true
  }

  has(id: string): boolean {
    return this.#sessions.has(id)
  }

  list(): RelaySessionInfo[] {
    return [...this.#sessions.values()].map((s) => s.info())
  }

  endedTotals(): TrafficTotals {
    return this.#ended
  }

  iceServers(): Promise<IceServer[]> {
    return this.#options.guestIceServers()
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => s.close('relay shutting down')))
    await Promise.all([...this.#running])
  }
}
