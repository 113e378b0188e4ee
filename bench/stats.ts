/** Small statistics for benchmark figures. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] as number
}

export const median = (values: readonly number[]) => percentile(values, 50)

export function summary(values: readonly number[], unit = 'ms'): string {
  const f = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))
  return `median ${f(median(values))} ${unit}, p90 ${f(percentile(values, 90))} ${unit}, min ${f(Math.min(...values))} ${unit}, max ${f(Math.max(...values))} ${unit} (n=${values.length})`
}
