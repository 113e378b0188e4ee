/**
 * The second local socket of the TURN data-path test (pion's `-ping` pattern): it learns its own
 * server-reflexive address with a Binding request to the TURN server, then sends numbered packets to the
 * relayed address; the allocation echoes them back (see echo.ts). No second peer, and no loopback or private
 * peer address that real TURN servers would refuse.
 */
import {randomBytes} from 'node:crypto'
import {createSocket, type Socket} from 'node:dgram'
import {isIP} from 'node:net'
import type {Endpoint} from '../net/endpoint.js'
import {bindingRequest, viewOf} from '../stun/message.js'
import {StunDemux, transact} from '../stun/transaction.js'

/** Echo payloads start with this, so nothing else is mistaken for an echo. */
export const ECHO_PREFIX = 'r58-echo '

export interface PingResult {
  sent: number
  received: number
  /** Round-trip times of the packets that came back, in send order. */
  rttsMs: number[]
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

export class EchoPinger {
  readonly #socket: Socket
  /** 4 or 6: the relayed address must be of the same family. */
  readonly family: 4 | 6
  readonly #run = randomBytes(4).toString('hex')
  #demux = new StunDemux()
  #onEcho: ((payload: Buffer, from: Endpoint) => void) | undefined
  #closed: Promise<void> | undefined

  private constructor(socket: Socket, family: 4 | 6) {
    this.#socket = socket
    this.family = family
    socket.on('message', (bytes, rinfo) => {
      const from = {address: rinfo.address, port: rinfo.port}
      if (bytes.subarray(0, ECHO_PREFIX.length).toString('latin1') === ECHO_PREFIX) this.#onEcho?.(bytes, from)
      else this.#demux.deliver(bytes, from)
    })
    socket.on('error', (error) => this.#demux.fail(error))
  }

  static async open(family: 4 | 6): Promise<EchoPinger> {
    const socket = createSocket({type: family === 6 ? 'udp6' : 'udp4'})
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    return new EchoPinger(socket, family)
  }

  /**
   * This socket's server-reflexive address, from a Binding request to `server` over UDP. The socket is
   * connected for the request so that a closed port fails at once (ICMP), then disconnected again.
   * Undefined when the server gives no answer.
   */
  async reflexiveAddress(server: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<Endpoint | undefined> {
    const socket = this.#socket
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.connect(server.port, server.address, () => {
          socket.off('error', reject)
          resolve()
        })
      })
      const io = {send: (bytes: Buffer) => socket.send(bytes), demux: this.#demux, reliable: false, remote: server}
      const answer = await transact(bindingRequest(), io, {timeoutMs, signal, step: 'echo peer Binding', rtoMs: 250})
      return viewOf(answer.message).mapped
    } catch {
      return undefined
    } finally {
      this.#demux = new StunDemux()
      try {
        socket.disconnect()
      } catch {
        // never connected
      }
    }
  }

  /** Sends `count` packets to `relayed`, `spacingMs` apart, and waits up to `waitMs` after the last for echoes. */
  async ping(
    relayed: Endpoint,
    count: number,
    options: {spacingMs: number; waitMs: number; signal?: AbortSignal},
  ): Promise<PingResult> {
    const sentAt = new Map<number, number>()
    const rtts = new Map<number, number>()
    let allBack: () => void = () => {}
    const done = new Promise<void>((resolve) => {
      allBack = resolve
    })
    this.#onEcho = (payload, from) => {
      if (from.port !== relayed.port || isIP(from.address) === 0) return
      const [run, seqText] = payload.subarray(ECHO_PREFIX.length).toString('latin1').split(' ')
      const seq = Number(seqText)
      const started = sentAt.get(seq)
      if (run !== this.#run || started === undefined || rtts.has(seq)) return
      rtts.set(seq, performance.now() - started)
      if (rtts.size === count) allBack()
    }
    try {
      for (let seq = 0; seq < count && !options.signal?.aborted; seq++) {
        if (seq > 0) await sleep(options.spacingMs)
        sentAt.set(seq, performance.now())
        this.#socket.send(
          Buffer.from(`${ECHO_PREFIX}${this.#run} ${seq} ${'.'.repeat(64)}`, 'latin1'),
          relayed.port,
          relayed.address,
        )
      }
      let timer: NodeJS.Timeout | undefined
      const onAbort = () => allBack()
      if (options.signal?.aborted) allBack()
      options.signal?.addEventListener('abort', onAbort, {once: true})
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.waitMs)))])
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    } finally {
      this.#onEcho = undefined
    }
    return {
      sent: sentAt.size,
      received: rtts.size,
      rttsMs: [...rtts.entries()].sort((a, b) => a[0] - b[0]).map(([, rtt]) => rtt),
    }
  }

  close(): Promise<void> {
    this.#demux.fail(new Error('echo socket closed'))
    this.#closed ??= new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve())
      } catch {
        resolve()
      }
    })
    return this.#closed
  }
}
