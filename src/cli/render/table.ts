/** Plain aligned columns for human output (no borders, so it pastes cleanly into issues and chats). */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g

export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length
}

/** `text` cut to `room` visible characters with an ellipsis; unchanged when room is undefined (pipes, logs). */
export function cutToWidth(text: string, room: number | undefined): string {
  if (room === undefined || visibleLength(text) <= room) return text
  return `${[...text.replace(ANSI, '')].slice(0, Math.max(0, room - 1)).join('')}…`
}

/**
 * Aligns rows into columns separated by two spaces; the last column is never padded. With a `width` (a
 * terminal's), each row's last column is cut to fit it; without one, nothing is cut.
 */
export function table(rows: readonly (readonly string[])[], indent = '', width?: number): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))
    })
  }
  return rows
    .map((row) => {
      const head =
        indent +
        row
          .slice(0, -1)
          .map((cell, i) => `${cell}${' '.repeat((widths[i] ?? 0) - visibleLength(cell))}  `)
          .join('')
      const last = row.at(-1) ?? ''
      return (
        head + cutToWidth(last, width === undefined ? undefined : Math.max(10, width - visibleLength(head)))
      ).trimEnd()
    })
    .join('\n')
}
