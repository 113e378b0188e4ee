/**
 * Sans-IO core of a TURN client request with long-term credentials (RFC 8489 §9.2, RFC 8656): feed it the
 * server's answers, it says what to do next. No sockets and no clocks, so every branch is unit-tested with
 * constructed messages.
 *
 *   start()            → send the request (unauthenticated until a realm and nonce are known)
 *   handle(401)        → learn REALM/NONCE, send it again with MESSAGE-INTEGRITY (once)
 *   handle(438)        → stale nonce: take the new NONCE and send again (at most twice)
 *   handle(401 again)  → failure: credentials rejected
 *   handle(success)    → success, after checking the answer's MESSAGE-INTEGRITY
 *   handle(other error)→ failure with the error code's named outcome
 */
import {
  decodeStun,
  longTermKey,
  type Message,
  StunClass,
  type StunErrorCode,
  type StunView,
  verifyIntegrity,
  viewOf,
} from '../stun/message.js'
import type {ProbeOutcome} from '../stun/outcome.js'
import {explainTurnError, outcomeOfTurnError, type TurnRequestKind} from './error-codes.js'

export interface TurnCredential {
  username: string
  password: string
}

/** The long-term credential state shared by every request of one allocation. */
export class TurnAuth {
  realm: string | undefined
  nonce: Buffer | undefined
  key: Buffer | undefined
  readonly credential: TurnCredential
  readonly software: string | undefined

  constructor(credential: TurnCredential, software?: string) {
    this.credential = credential
    this.software = software
  }

  /** True once a realm and nonce are known: requests then carry MESSAGE-INTEGRITY. */
  get ready(): boolean {
    return this.key !== undefined && this.nonce !== undefined
  }

  /** Takes REALM and NONCE from a 401 or 438 answer. False when the answer lacks them. */
  learn(view: StunView): boolean {
    const realm = view.realm ?? this.realm
    if (realm === undefined || view.nonce === undefined) return false
    if (realm !== this.realm || this.key === undefined) {
      this.key = longTermKey(this.credential.username, realm, this.credential.password)
    }
    this.realm = realm
    this.nonce = view.nonce
    return true
  }

  /** Adds SOFTWARE, then USERNAME/REALM/NONCE/MESSAGE-INTEGRITY when ready, then FINGERPRINT. */
  sign(message: Message): Message {
    if (this.software !== undefined) message.setAttribute('SOFTWARE', this.software)
    if (this.ready && this.key && this.nonce && this.realm !== undefined) {
      message
        .setAttribute('USERNAME', this.credential.username)
        .setAttribute('REALM', this.realm)
        .setAttribute('NONCE', this.nonce)
        .addMessageIntegrity(this.key)
    }
    return message.addFingerprint()
  }
}

export type RequestAction =
  | {type: 'send'; request: Message}
  | {type: 'success'; response: Message; view: StunView}
  | {
      type: 'failure'
      outcome: Exclude<ProbeOutcome, 'ok'>
      message: string
      hint?: string
      error?: StunErrorCode
      view?: StunView
    }
  /** Not an answer to the current transaction (late retransmission answer, foreign message). */
  | {type: 'ignore'}

export interface RequestMachineOptions {
  /** How many 438 Stale Nonce answers are retried. Default 2. */
  maxStaleNonceRetries?: number
}

export class TurnRequestMachine {
  readonly kind: TurnRequestKind
  readonly #auth: TurnAuth
  readonly #build: () => Message
  readonly #maxStale: number
  #current: Message | undefined
  #sentAuthenticated = false
  #staleRetries = 0
  #sends = 0

  constructor(kind: TurnRequestKind, auth: TurnAuth, build: () => Message, options: RequestMachineOptions = {}) {
    this.kind = kind
    this.#auth = auth
    this.#build = build
    this.#maxStale = options.maxStaleNonceRetries ?? 2
  }

  /** Requests sent so far (the 401 round trip counts). */
  get sends(): number {
    return this.#sends
  }

  start(): RequestAction {
    return this.#send()
  }

  #send(): RequestAction {
    this.#current = this.#auth.sign(this.#build())
    this.#sentAuthenticated = this.#auth.ready
    this.#sends += 1
    return {type: 'send', request: this.#current}
  }

  #failure(error: StunErrorCode, view: StunView): RequestAction {
    const {message, hint} = explainTurnError(error, {kind: this.kind, alternate: view.alternateServer})
    return {
      type: 'failure',
      outcome: outcomeOfTurnError(error.code),
      message,
      ...(hint !== undefined && {hint}),
      error,
      view,
    }
  }

  /** Feeds one message received from the server. */
  handle(bytes: Buffer): RequestAction {
    const message = decodeStun(bytes)
    if (!message || !this.#current || message.transactionIdHex !== this.#current.transactionIdHex)
      return {type: 'ignore'}
    const view = viewOf(message)
    if (message.messageClass === StunClass.RESPONSE) {
      const key = this.#auth.key
      if (this.#sentAuthenticated && key && view.hasIntegrity && !verifyIntegrity(bytes, key)) {
        return {
          type: 'failure',
          outcome: 'error',
          message: 'the success answer failed its MESSAGE-INTEGRITY check (not signed with our credential)',
          view,
        }
      }
      return {type: 'success', response: message, view}
    }
    if (message.messageClass !== StunClass.ERROR) return {type: 'ignore'}
    const error = view.error ?? {code: 0, reason: 'error answer without ERROR-CODE'}
    if (error.code === 401 && !this.#sentAuthenticated) {
      if (!this.#auth.learn(view)) {
        return {
          type: 'failure',
          outcome: 'error',
          message: `${error.code} ${error.reason}: the challenge lacks REALM or NONCE`,
          error,
          view,
        }
      }
      return this.#send()
    }
    if (error.code === 438 && this.#staleRetries < this.#maxStale && this.#auth.learn(view)) {
      this.#staleRetries += 1
      return this.#send()
    }
    return this.#failure(error, view)
  }
}
