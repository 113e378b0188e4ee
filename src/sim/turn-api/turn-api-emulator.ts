/**
 * A local implementation of Cloudflare's TURN credential API, written from its documented contract
 * (docs/cloudflare-turn.md §2.1). `r58 calls emulate` mounts it, and tests use it, so that nothing
 * needs an account. When given the shared secret of a local TURN server (coturn `static-auth-secret`),
 * the credentials it hands out really work on that server.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {IceServer} from '../../ice/ice-url.js'
import {BodyTooLargeError, readBody} from '../../net/http-body.js'
import {replyJson} from '../../net/http-reply.js'
import {MAX_TURN_TTL_SECONDS} from '../../turn/cloudflare-credentials.js'
import {restCredential} from '../../turn/rest-credentials.js'

export interface TurnApiEmulatorOptions {
  /** TURN key id → API token. */
  keys: ReadonlyMap<string, string>
  /** STUN URLs handed out. */
  stunUrls: readonly string[]
  /** TURN URLs handed out (with the minted user name and credential). */
  turnUrls: readonly string[]
  /** Shared secret of the TURN server; without it credentials are random and only shaped right. */
  sharedSecret?: string
  now?: () => number
}

const ROUTE = /^\/turn\/keys\/([^/]+)\/credentials\/(generate-ice-servers|generate|([^/]+)\/revoke)$/
const MAX_BODY = 16 * 1024

function apiError(res: ServerResponse, status: number, message: string): void {
  replyJson(res, status, {success: false, errors: [{code: status, message}]})
}

/** The body, or undefined when it is over MAX_BODY (read up to there, as before any answer). */
async function readSmallBody(req: IncomingMessage): Promise<string | undefined> {
  try {
    return await readBody(req, MAX_BODY, {checkDeclared: false})
  } catch (error) {
    if (error instanceof BodyTooLargeError) return undefined
    throw error
  }
}

export interface TurnApiEmulator {
  /** Handles the request when it is a TURN credential route; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>
  /** User names revoked so far. */
  readonly revoked: ReadonlySet<string>
  /** Credentials issued so far (user names). */
  readonly issued: ReadonlySet<string>
}

export function createTurnApiEmulator(options: TurnApiEmulatorOptions): TurnApiEmulator {
  const revoked = new Set<string>()
  const issued = new Set<string>()
  const now = options.now ?? Date.now
  let counter = 0

  const handle = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    const match = ROUTE.exec(pathname)
    if (!match) return false
    const keyId = decodeURIComponent(match[1] ?? '')
    if (req.method !== 'POST') {
      apiError(res, 405, 'method not allowed')
      return true
    }
    const token = options.keys.get(keyId)
    if (token === undefined) {
      apiError(res, 404, 'TURN key not found')
      return true
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      apiError(res, 401, 'Unauthorized')
      return true
    }
    const text = await readSmallBody(req)
    if (text === undefined) {
      apiError(res, 413, 'request body too large')
      return true
    }
    if (match[3] !== undefined) {
      revoked.add(decodeURIComponent(match[3]))
      res.writeHead(204).end()
      return true
    }
    let ttl = 86400
    if (text.trim().length > 0) {
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        apiError(res, 400, 'invalid JSON body')
        return true
      }
      const given = (body as {ttl?: unknown} | null)?.ttl
      if (given !== undefined) {
        if (typeof given !== 'number' || !Number.isInteger(given) || given < 1 || given > MAX_TURN_TTL_SECONDS) {
          apiError(res, 400, `ttl must be an integer from 1 to ${MAX_TURN_TTL_SECONDS}`)
          return true
        }
        ttl = given
      }
    }
    counter += 1
    const minted = options.sharedSecret
      ? restCredential(options.sharedSecret, ttl, `r58emu${counter}`, now())
      : {username: `r58emu${counter}-${now()}`, credential: `emulated-${counter}`}
    issued.add(minted.username)
    const turn: IceServer = {urls: [...options.turnUrls], username: minted.username, credential: minted.credential}
    if (match[2] === 'generate') {
      replyJson(res, 201, {iceServers: {...turn, urls: [...options.stunUrls, ...options.turnUrls]}})
      return true
    }
    const iceServers: IceServer[] = []
    if (options.stunUrls.length > 0) iceServers.push({urls: [...options.stunUrls]})
    if (options.turnUrls.length > 0) iceServers.push(turn)
    replyJson(res, 201, {iceServers})
    return true
  }
  return {handle, revoked, issued}
}
