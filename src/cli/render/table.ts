/** Plain aligned columns for human output (no borders, so it pastes cleanly into issues and chats). */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g

export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length
}

/** Aligns rows into columns separated by two spaces; the last column is never padded. */
export function table(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))
    })
  }
  return rows
    .map((row) =>
      (
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
          .join('  ')
      ).trimEnd(),
    )
    .join('\n')
}
