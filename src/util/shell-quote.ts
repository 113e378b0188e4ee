/** Quoting for printed fixes, so a command shown to the operator runs as printed in a POSIX shell. */

/** `word` as one shell word: unchanged when it holds only safe characters, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}
