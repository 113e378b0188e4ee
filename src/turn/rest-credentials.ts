/**
 * Time-limited TURN credentials of the "TURN REST API" scheme (draft-uberti-behave-turn-rest, coturn's
 * `use-auth-secret`): username = `<unix expiry>:<user>`, password = base64(HMAC-SHA1(secret, username)).
 * MediaMTX's AUTH_SECRET mode mints the same.
 */
import {createHmac} from 'node:crypto'

export interface RestCredential {
  username: string
  credential: string
  /** Unix seconds. */
  expires: number
}

export function restCredential(secret: string, ttlSeconds: number, user = 'r58', nowMs = Date.now()): RestCredential {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds
  const username = `${expires}:${user}`
  const credential = createHmac('sha1', secret).update(username).digest('base64')
  return {username, credential, expires}
}
