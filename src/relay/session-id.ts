/** Relay session ids: the session URL is a capability, so its id carries 128 random bits (base64url). */
import {randomBytes} from 'node:crypto'

export const newSessionId = (): string => randomBytes(16).toString('base64url')

/** What a session id looks like in a URL (22 base64url characters). */
export const SESSION_ID = /^[A-Za-z0-9_-]{22}$/
