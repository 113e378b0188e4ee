/**
 * Per-key serialization: tasks with the same key run one after another, in call order; different keys run
 * concurrently. The Calls API answers 406 to overlapping mutations of one session, so the client runs every
 * mutation of a session through this queue.
 */

export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>()

  /** Runs `task` after every task queued earlier under `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const result = previous.then(() => task())
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }

  /** Keys with queued or running tasks. */
  get size(): number {
    return this.#tails.size
  }

  isBusy(key: string): boolean {
    return this.#tails.has(key)
  }
}
