/**
 * Secret redaction. Every secret r58 loads is registered here, and everything a command prints (human
 * text, JSON, warnings, errors, logs) passes through `redact` on its way out. Redacting at the output
 * boundary means a secret that slips into an error message from a library still never reaches a terminal.
 */

export const REDACTED = '<redacted>'

/** Secrets shorter than this are only redacted as whole values, never as substrings of other text. */
const MIN_SUBSTRING_LENGTH = 4

export class Redactor {
  readonly #secrets = new Set<string>()

  add(secret: string | undefined): void {
    if (secret === undefined) return
    const trimmed = secret.trim()
    if (trimmed.length > 0) this.#secrets.add(trimmed)
    // The URL-encoded form shows up in URLs and query strings.
    const encoded = encodeURIComponent(trimmed)
    if (encoded !== trimmed && encoded.length > 0) this.#secrets.add(encoded)
  }

  get size(): number {
    return this.#secrets.size
  }

  redact(text: string): string {
    let out = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      if (out === secret) return REDACTED
      if (secret.length >= MIN_SUBSTRING_LENGTH) out = out.split(secret).join(REDACTED)
    }
    return out
  }

  /** A deep copy of `value` with every string redacted. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T
    if (Array.isArray(value)) return value.map((item) => this.redactDeep(item)) as T
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) out[key] = this.redactDeep(item)
      return out as T
    }
    return value
  }
}
