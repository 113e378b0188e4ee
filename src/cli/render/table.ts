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

/** A row too wide for `width`: its cells in order, wrapped at cell boundaries, continuation lines indented. */
function wrapRow(row: readonly string[], indent: string, width: number): string {
  const lines: string[] = []
  let line = indent
  for (const cell of row) {
    const start = line.trim().length === 0
    if (!start && visibleLength(line) + 2 + visibleLength(cell) > width) {
      lines.push(line.trimEnd())
      line = `${indent}    `
    }
    line += `${line.trim().length === 0 ? '' : '  '}${cell}`
  }
  lines.push(line.trimEnd())
  return lines.map((text) => cutToWidth(text, width)).join('\n')
}

/**
 * Aligns rows into columns separated by two spaces; the last column is never padded. With a `width` (a
 * terminal's), each row's last column is cut to fit it, and when even the other columns do not fit, each row wraps
 * on its own; without one (pipes, logs), nothing is cut or wrapped.
 */
export function table(rows: readonly (readonly string[])[], indent = '', width?: number): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))
    })
  }
  const headWidth = indent.length + widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0)
  if (width !== undefined && headWidth > width - 20) return rows.map((row) => wrapRow(row, indent, width)).join('\n')
  return rows
    .map((row) => {
      const head =
        indent +
        row
          .slice(0, -1)
          .map((cell, i) => `${cell}${' '.repeat((widths[i] ?? 0) - visibleLength(cell))}  `)
          .join('')
      const last = row.at(-1) ?? ''
      const room = width === undefined ? undefined : Math.max(10, width - visibleLength(head))
      return (head + cutToWidth(last, room)).trimEnd()
    })
    .join('\n')
}
