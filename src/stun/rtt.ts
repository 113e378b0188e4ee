/** Round-trip time figures as probes report them: min, median and max, in milliseconds to 0.1 ms. */

export interface RttSummary {
  min: number
  median: number
  max: number
}

const round = (ms: number) => Math.round(ms * 10) / 10

/** Undefined for no samples. The median of an even count is the mean of the middle two. */
export function summarizeRtts(samples: readonly number[]): RttSummary | undefined {
  if (samples.length === 0) return undefined
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return {min: round(sorted[0] as number), median: round(median), max: round(sorted[sorted.length - 1] as number)}
}
