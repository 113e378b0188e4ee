/**
 * STUN transactions (RFC 8489 §6.2): send a request, match the answer by transaction id, retransmit over
 * UDP (RTO 500 ms, doubling) until the step's deadline. The demultiplexer routes answers to the waiting
 * transaction and everything else (TURN Data indications, echo payloads) to an optional listener.
 */
import {R58Error} from '../errors.js'
import type {Endpoint} from '../net/endpoint.js'
import {formatEndpoint} from '../net/endpoint.js'
import {decodeStun, type Message, StunClass} from './message.js'

export interface Received {
  bytes: Buffer
  from: Endpoint
  /** The decoded message; undefined for anything that is not STUN (ChannelData, echo payloads). */
  message: Message | undefined
}

interface Pending {
  resolve(received: Received & {message: Message}): void
  reject(error: unknown): void
}

export class StunDemux {
  readonly #pending = new Map<string, Pending>()
  #failure: unknown
  /** Receives whatever is not an answer to a pending transaction. */
  other: ((received: Received) => void) | undefined

  deliver(bytes: Buffer, from: Endpoint): void {
    const message = decodeStun(bytes)
    if (message && (message.messageClass === StunClass.RESPONSE || message.messageClass === StunClass.ERROR)) {
      const pending = this.#pending.get(message.transactionIdHex)
      if (pending) {
        this.#pending.delete(message.transactionIdHex)
        pending.resolve({bytes, from, message})
        return
      }
    }
    this.other?.({bytes, from, message})
  }

  /** Waits for the answer to transaction `id`. */
  expect(id: string): {answer: Promise<Received & {message: Message}>; cancel(): void} {
    let cancel = (): void => {}
    const answer = new Promise<Received & {message: Message}>((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure)
        return
      }
      this.#pending.set(id, {resolve, reject})
      cancel = () => this.#pending.delete(id)
    })
    return {answer, cancel}
  }

  /** The connection broke (ICMP unreachable, reset, closed): every waiting and future transaction fails. */
  fail(error: unknown): void {
    this.#failure ??= error
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
  }

  get failed(): boolean {
    return this.#failure !== undefined
  }
}

export interface TransactIo {
  send(bytes: Buffer): void
  demux: StunDemux
  /** Reliable transports (TCP, TLS) are never retransmitted to. */
  reliable: boolean
  /** For messages: where the request goes. */
  remote: Endpoint
}

export interface TransactOptions {
  timeoutMs: number
  signal?: AbortSignal | undefined
  /** Names the step in errors, e.g. `Allocate`. */
  step: string
  /** First retransmission timeout over UDP. Default 500 ms (RFC 8489). */
  rtoMs?: number
}

export interface TransactResult extends Received {
  message: Message
  /** From the last (re)transmission to the answer. */
  rttMs: number
  transmissions: number
}

/** One request/answer exchange. Rejects with E_TIMEOUT, E_ABORTED, or the connection's error. */
export function transact(request: Message, io: TransactIo, options: TransactOptions): Promise<TransactResult> {
  const bytes = request.bytes
  const {answer, cancel} = io.demux.expect(request.transactionIdHex)
  let timer: NodeJS.Timeout | undefined
  let deadline: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  let sentAt = performance.now()
  let transmissions = 0
  const cleanup = () => {
    clearTimeout(timer)
    clearTimeout(deadline)
    if (onAbort) options.signal?.removeEventListener('abort', onAbort)
    cancel()
  }
  const sendOnce = () => {
    sentAt = performance.now()
    transmissions += 1
    io.send(bytes)
  }
  let fail: (error: unknown) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    fail = reject
    deadline = setTimeout(() => {
      reject(
        new R58Error(
          'E_TIMEOUT',
          `${options.step}: no STUN answer from ${formatEndpoint(io.remote)} within ${options.timeoutMs} ms`,
        ),
      )
    }, options.timeoutMs)
    deadline.unref()
    if (options.signal) {
      onAbort = () => reject(new R58Error('E_ABORTED', `${options.step}: cancelled`))
      if (options.signal.aborted) onAbort()
      else options.signal.addEventListener('abort', onAbort, {once: true})
    }
  })
  if (!io.reliable) {
    let rto = options.rtoMs ?? 500
    const schedule = () => {
      timer = setTimeout(() => {
        try {
          sendOnce()
        } catch (error) {
          fail(error) // the socket closed under us
          return
        }
        rto *= 2
        schedule()
      }, rto)
      timer.unref()
    }
    schedule()
  }
  try {
    sendOnce()
  } catch (error) {
    cleanup()
    return Promise.reject(error)
  }
  return Promise.race([answer, failed])
    .then((received) => ({...received, rttMs: performance.now() - sentAt, transmissions}))
    .finally(cleanup)
}
