/** "Did you mean …?" for misspelled names: the candidate within a small edit distance, if any. */

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost)
      diagonal = above
    }
  }
  return row[b.length] ?? 0
}

/** The closest candidate when it is at most a third of the word's length away (and at most 3 edits). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  for (const candidate of candidates) {
    const d = editDistance(word, candidate)
    if (d <= bestDistance) {
      best = candidate
      bestDistance = d - 1
    }
  }
  return best
}
