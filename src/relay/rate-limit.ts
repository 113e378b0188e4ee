/**
 * Per-client request rate limiting: a token bucket per address, in a bounded map so that a flood of distinct
 * addresses cannot grow memory without limit (the oldest buckets are dropped first).
 */

export interface RateLimitOptions {
  /** Sustained requests per second per client. */
  ratePerSecond: number
  /** Burst size. */
  burst: number
  /** Most clients tracked at once. */
  maxClients?: number
  now?: () => number
}

export class RateLimiter {
  readonly #buckets = new Map<string, {tokens: number; at: number}>()
  readonly #options: Required<RateLimitOptions>

  constructor(options: RateLimitOptions) {
    this.#options = {maxClients: 10_000, now: Date.now, ...options}
  }

  /** Takes one token for `client`; false when the client must wait (answer 429). */
  take(client: string): boolean {
    const now = this.#options.now()
    const bucket = this.#buckets.get(client) ?? {tokens: this.#options.burst, at: now}
    bucket.tokens = Math.min(
      this.#options.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.#options.ratePerSecond,
    )
    bucket.at = now
    this.#buckets.delete(client) // re-insert: Map order is recency order
    this.#buckets.set(client, bucket)
    if (this.#buckets.size > this.#options.maxClients) {
      const oldest = this.#buckets.keys().next().value
      if (oldest !== undefined) this.#buckets.delete(oldest)
    }
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Seconds until `client` has a token again (for Retry-After). */
  retryAfter(client: string): number {
    const bucket = this.#buckets.get(client)
    if (!bucket || bucket.tokens >= 1) return 0
    return Math.ceil((1 - bucket.tokens) / this.#options.ratePerSecond)
  }

  get size(): number {
    return this.#buckets.size
  }
}
