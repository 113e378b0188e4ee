/**
 * Durations as people type them: `500ms`, `3s`, `1.5s`, `2m`, `12h`, `2d`, or a bare number of seconds (`--timeout 3`
 * is three seconds, as everywhere in r58: one rule per unit).
 */

const UNIT_MS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000} as const

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim())
  if (!match) return undefined
  const value = Number(match[1])
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS
  const ms = value * UNIT_MS[unit]
  return Number.isFinite(ms) ? Math.round(ms) : undefined
}

/** `1500` → `1.5s`, `43200000` → `12h`: the shortest exact form. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]
    if (ms >= size && ms % (size / 10) === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
