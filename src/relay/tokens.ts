/**
 * Relay ingress tokens: one global token and/or per-path tokens, checked in constant time.
 *
 * Tokens file: one `<path> <token>` per line, `*` for every path, `#` comments. A request for path P is
 * allowed with P's tokens or a `*` token.
 */
import {createHash, timingSafeEqual} from 'node:crypto'
import {R58Error} from '../errors.js'

export interface TokenTable {
  /** Tokens valid for every path. */
  global: string[]
  byPath: Map<string, string[]>
}

export function emptyTokenTable(): TokenTable {
  return {global: [], byPath: new Map()}
}

export function tokenCount(table: TokenTable): number {
  let count = table.global.length
  for (const tokens of table.byPath.values()) count += tokens.length
  return count
}

export function parseTokensFile(text: string, file: string): TokenTable {
  const table = emptyTokenTable()
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const parts = line.split(/\s+/)
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new R58Error('E_CONFIG', `${file}:${index + 1}: expected "<path> <token>"`, {
        field: 'relay.tokensFile',
        hint: 'One entry per line, e.g. "studio-guest-1 9f2c…" or "* 9f2c…" for every path.',
      })
    }
    const [path, token] = parts as [string, string]
    if (token.length < 16) {
      throw new R58Error('E_CONFIG', `${file}:${index + 1}: token for "${path}" is shorter than 16 characters`, {
        field: 'relay.tokensFile',
        hint: 'Use long random tokens, e.g. `openssl rand -hex 24`.',
      })
    }
    if (path === '*') table.global.push(token)
    else table.byPath.set(path, [...(table.byPath.get(path) ?? []), token])
  })
  return table
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Compares against every candidate without stopping early, so timing says nothing about which matched. */
function matchesAny(given: string, candidates: readonly string[]): boolean {
  const got = digest(given)
  let match = false
  for (const candidate of candidates) match = timingSafeEqual(got, digest(candidate)) || match
  return match
}

export type AuthResult = 'ok' | 'missing' | 'invalid'

/** The token a request presents: `Authorization: Bearer <token>`, or a `token` query parameter (join links). */
export function presentedToken(authorization: string | undefined, queryToken?: string | null): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? queryToken ?? undefined
}

/** A token's fingerprint, to remember which token made a session without keeping the token. */
export const tokenFingerprint = (token: string | undefined): string =>
  token === undefined ? '' : digest(token).toString('hex')

/** Every token in the table (for redaction). */
export function allTokens(table: TokenTable): string[] {
  return [...table.global, ...[...table.byPath.values()].flat()]
}

/** Checks `Authorization: Bearer <token>` (or a `token` query parameter, for join links) for a path. */
export function authorize(
  table: TokenTable,
  path: string,
  authorization: string | undefined,
  queryToken?: string | null,
): AuthResult {
  const bearer = presentedToken(authorization, queryToken)
  if (!bearer) return 'missing'
  return matchesAny(bearer, [...table.global, ...(table.byPath.get(path) ?? [])]) ? 'ok' : 'invalid'
}
