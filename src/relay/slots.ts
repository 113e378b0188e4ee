/**
 * Session slots: `--max-sessions` as a hard bound, and one publisher per path. A slot is taken
 * synchronously (check and take in one step, so concurrent offers cannot overshoot) before any work is
 * done for a session, and given back on every failure path; once the engine holds the session, the
 * engine's list counts it instead.
 */
import type {RelayEngine} from './engine.js'
import {HttpError} from './http-helpers.js'

export type ConflictPolicy = 'refuse' | 'takeover'

export interface Slot {
  /** Sessions already on the path that this one replaces (takeover): the caller ends them. */
  replaces: string[]
  /** Gives the slot back; call once the engine holds the session, or when it failed. */
  release(): void
}

export class SessionSlots {
  readonly #engine: Pick<RelayEngine, 'list'>
  readonly #max: number
  readonly #onConflict: ConflictPolicy
  /** Paths with a session being set up (before the engine lists it). */
  readonly #pending = new Map<string, number>()
  #pendingTotal = 0

  constructor(engine: Pick<RelayEngine, 'list'>, max: number, onConflict: ConflictPolicy = 'refuse') {
    this.#engine = engine
    this.#max = max
    this.#onConflict = onConflict
  }

  /** Takes a slot for a new session on `path`, or throws 409 (path busy) or 503 (relay full). */
  take(path: string): Slot {
    const active = this.#engine.list().filter((s) => s.state !== 'closed')
    const onPath = active.filter((s) => s.path === path).map((s) => s.id)
    const busy = (this.#pending.get(path) ?? 0) > 0
    if (busy || (onPath.length > 0 && this.#onConflict !== 'takeover')) {
      throw new HttpError(409, `another publisher is live on "${path}"`)
    }
    if (active.length - onPath.length + this.#pendingTotal >= this.#max) {
      throw new HttpError(503, 'relay is full', {'retry-after': '5'})
    }
    this.#pending.set(path, (this.#pending.get(path) ?? 0) + 1)
    this.#pendingTotal += 1
    let released = false
    return {
      replaces: onPath,
      release: () => {
        if (released) return
        released = true
        this.#pendingTotal -= 1
        const left = (this.#pending.get(path) ?? 1) - 1
        if (left > 0) this.#pending.set(path, left)
        else this.#pending.delete(path)
      },
    }
  }
}
