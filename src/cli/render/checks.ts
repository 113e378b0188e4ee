/** The problems of a report, one per failed, warned, cancelled or out-of-time check: what was seen, then the fix. */
import type {Check, CheckStatus} from '../../report/check.js'
import type {Style} from '../style.js'

const RANK: Record<CheckStatus, number> = {skip: 0, pass: 1, unknown: 2, cancelled: 3, warn: 4, fail: 5}

/** The worst of several statuses (fail > warn > cancelled > unknown > pass > skip). */
export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((worst, s) => (RANK[s] > RANK[worst] ? s : worst), 'skip')
}

export function renderProblems(checks: readonly Check[], style: Style): string[] {
  const lines: string[] = []
  for (const check of checks) {
    if (check.status === 'pass' || check.status === 'skip') continue
    lines.push(`${style.glyph(check.status)} ${check.title}: ${check.evidence}`)
    if (check.fix) lines.push(`  ${style.dim('fix:')} ${check.fix}`)
  }
  return lines
}

/** "3 passed, 1 failed" */
export function renderTally(checks: readonly Check[]): string {
  const counts = new Map<CheckStatus, number>()
  for (const check of checks) counts.set(check.status, (counts.get(check.status) ?? 0) + 1)
  const words: [CheckStatus, string][] = [
    ['pass', 'passed'],
    ['warn', 'warned'],
    ['fail', 'failed'],
    ['skip', 'skipped'],
    ['unknown', 'out of time'],
    ['cancelled', 'cancelled'],
  ]
  return words
    .filter(([status]) => (counts.get(status) ?? 0) > 0)
    .map(([status, word]) => `${counts.get(status)} ${word}`)
    .join(', ')
}
