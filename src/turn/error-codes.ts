/** TURN error codes (RFC 8489 §14.8, RFC 8656 §19) → named outcomes and plain-language explanations. */
import {type Endpoint, formatEndpoint} from '../net/endpoint.js'
import type {StunErrorCode} from '../stun/message.js'
import type {ProbeOutcome} from '../stun/outcome.js'

export type TurnRequestKind = 'allocate' | 'permission' | 'refresh'

export function outcomeOfTurnError(code: number): Exclude<ProbeOutcome, 'ok'> {
  switch (code) {
    case 401:
    case 441:
      return 'auth-rejected'
    case 403:
      return 'forbidden'
    case 486:
      return 'quota'
    case 508:
      return 'capacity'
    default:
      return 'error'
  }
}

/** "401 Unauthorized", or the code alone when the server gave no reason phrase. */
export function quoteError(error: StunErrorCode): string {
  return error.reason ? `${error.code} ${error.reason}` : String(error.code)
}

const WHAT: Record<TurnRequestKind, string> = {allocate: 'Allocate', permission: 'CreatePermission', refresh: 'Refresh'}

export interface TurnErrorContext {
  kind: TurnRequestKind
  peer?: Endpoint | undefined
  alternate?: Endpoint | undefined
}

/** One line saying what the error means, and the fix. */
export function explainTurnError(error: StunErrorCode, context: TurnErrorContext): {message: string; hint?: string} {
  const quoted = quoteError(error)
  const what = WHAT[context.kind]
  switch (error.code) {
    case 401:
    case 441:
      return {
        message: `credentials rejected (${quoted})`,
        hint: 'Check --turn-username and the credential (--turn-credential-file); REST and Cloudflare credentials expire, so mint fresh ones (`r58 turn credentials`) or use --cloudflare-turn.',
      }
    case 403:
      return context.kind === 'permission'
        ? {
            message: `the server refused a permission for peer ${context.peer ? formatEndpoint(context.peer) : '?'} (${quoted})`,
            hint: 'The server does not relay to this kind of address (many refuse loopback and private ranges).',
          }
        : {
            message: `${what} forbidden (${quoted}): the server refuses this user or this client address`,
            hint: 'Ask the TURN operator whether this user may allocate from here.',
          }
    case 486:
      return {
        message: `allocation quota reached (${quoted}): this user holds too many allocations`,
        hint: 'Free allocations (close other clients) or wait for them to expire, then retry.',
      }
    case 508:
      return {
        message: `server out of capacity (${quoted})`,
        hint: 'Use another TURN server or URL, or retry later.',
      }
    case 437:
      return {message: `${what}: allocation mismatch (${quoted})`}
    case 438:
      return {message: `${what}: the nonce stayed stale after retries (${quoted})`}
    case 300:
      return {
        message: `${what}: the server redirects to ${context.alternate ? formatEndpoint(context.alternate) : 'another server'} (${quoted})`,
        hint: 'Probe the alternate server instead.',
      }
    case 420:
      return {message: `${what}: the server does not understand a required attribute (${quoted})`}
    default:
      return {message: `${what} failed: the server answered ${quoted}`}
  }
}
