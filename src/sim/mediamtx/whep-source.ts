/**
 * A path of the MediaMTX stand-in whose `source` is `whep://…` / `wheps://…`: the stand-in is the WHEP client,
 * as MediaMTX is (docs/mediamtx.md §9): it offers receive-only video and audio, POSTs the offer to the URL as
 * written (query included; `whepBearerToken` as `Authorization: Bearer`), applies the answer and connects out.
 * The path is ready once a track's RTP arrives within whepTrackGatherTimeout; bytes are counted. When the
 * source ends (the peer fails or closes, or no RTP for readTimeout) the stand-in DELETEs the session and pulls
 * again after a pause, as MediaMTX's static sources do. Media stays on loopback.
 */
import type {RtpPacket} from 'werift'
import {R58Error} from '../../errors.js'
import {createPeer, waitForConnected} from '../../media/peer.js'
import {headerValue, httpRequest} from '../../net/http.js'
import {sleep} from '../../util/abort.js'
import {parseDuration} from '../../util/duration.js'
import type {Log} from '../../util/log.js'
import {trackWeriftSockets} from '../../webrtc/socket-tracker.js'
import type {StandinPath} from './api-server.js'

export interface WhepSourceOptions {
  path: string
  /** `whep://host:port/…` or `wheps://…`. */
  url: string
  bearerToken?: string | undefined
  handshakeTimeoutMs: number
  trackGatherTimeoutMs: number
  /** No RTP for this long ends the source (MediaMTX's readTimeout, default 10 s). */
  readTimeoutMs: number
  /** Pause before pulling again (MediaMTX waits 5 s). */
  retryPauseMs: number
  log: Log
  onRtp?: ((packet: RtpPacket, from: {path: string; kind: 'audio' | 'video'}) => void) | undefined
  /** Where the pulling peer gathers: MediaMTX's own interfaces (default: loopback only). */
  hostAddresses?: string[] | undefined
}

export interface WhepSourceTrack {
  kind: 'audio' | 'video'
  codec: string
  packets: number
  bytes: number
}

/** `whep://` → `http://`, `wheps://` → `https://`; anything else is not a WHEP source. */
export function whepHttpUrl(source: string): string | undefined {
  const match = /^whep(s?):\/\//i.exec(source)
  if (!match) return undefined
  return `http${match[1]?.toLowerCase() ?? ''}://${source.slice(match[0].length)}`
}

const codecName = (mime: string) => {
  const sub = mime.split('/')[1] ?? mime
  return sub.toLowerCase() === 'opus' ? 'Opus' : sub.toUpperCase()
}

export class WhepSourcePuller {
  readonly path: string
  readonly url: string
  state: 'connecting' | 'ready' | 'waiting' | 'stopped' = 'connecting'
  tracks: WhepSourceTrack[] = []
  /** Bytes over every pull of this source (MediaMTX's path counter keeps growing across re-pulls). */
  inboundBytes = 0
  pulls = 0
  readyTime: string | null = null
  lastError: string | null = null
  readonly #options: WhepSourceOptions
  readonly #abort = new AbortController()
  #running: Promise<void> | undefined

  constructor(options: WhepSourceOptions) {
    this.#options = options
    this.path = options.path
    this.url = options.url
  }

  start(): void {
    this.#running ??= this.#loop()
  }

  async #loop(): Promise<void> {
    const {log, retryPauseMs} = this.#options
    while (!this.#abort.signal.aborted) {
      try {
        await this.#pullOnce()
      } catch (error) {
        if (this.#abort.signal.aborted) break
        this.lastError = error instanceof Error ? error.message : String(error)
        log({
          level: 'warn',
          event: 'standin.whep.error',
          msg: `[path ${this.path}] [WebRTC source] ${this.lastError}; retrying`,
          path: this.path,
        })
      }
      this.state = this.#abort.signal.aborted ? 'stopped' : 'waiting'
      this.readyTime = null
      await sleep(retryPauseMs, this.#abort.signal).catch(() => {})
    }
  }

  async #pullOnce(): Promise<void> {
    const signal = this.#abort.signal
    const {handshakeTimeoutMs, trackGatherTimeoutMs, readTimeoutMs, log} = this.#options
    const target = whepHttpUrl(this.url)
    if (!target) throw new R58Error('E_CONFIG', `not a WHEP source: ${this.url}`)
    this.state = 'connecting'
    this.pulls += 1
    this.tracks = []
    let lastRtpAt = 0
    const sockets = trackWeriftSockets()
    const pc = createPeer({hostAddresses: this.#options.hostAddresses ?? ['127.0.0.1']})
    let location: string | undefined
    try {
      pc.onTransceiverAdded.subscribe((transceiver) => {
        transceiver.onTrack.subscribe((track) => {
          const stats: WhepSourceTrack = {
            kind: track.kind === 'video' ? 'video' : 'audio',
            codec: codecName(transceiver.codecs[0]?.mimeType ?? track.kind),
            packets: 0,
            bytes: 0,
          }
          this.tracks.push(stats)
          track.onReceiveRtp.subscribe((rtp) => {
            lastRtpAt = Date.now()
            stats.packets += 1
            stats.bytes += rtp.serializeSize
            this.inboundBytes += rtp.serializeSize
            this.#options.onRtp?.(rtp, {path: this.path, kind: stats.kind})
          })
        })
      })
      pc.addTransceiver('video', {direction: 'recvonly'})
      pc.addTransceiver('audio', {direction: 'recvonly'})
      const offer = await pc.createOffer()
      await sockets.run(() => pc.setLocalDescription(offer))
      const response = await httpRequest(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/sdp',
          ...(this.#options.bearerToken && {authorization: `Bearer ${this.#options.bearerToken}`}),
        },
        body: pc.localDescription?.sdp ?? '',
        timeoutMs: handshakeTimeoutMs,
        signal,
        step: 'WHEP POST',
      })
      if (response.status !== 201) throw new R58Error('E_PROTOCOL', `bad status code: ${response.status}`)
      const header = headerValue(response, 'location')
      location = header ? new URL(header, target).toString() : undefined
      await pc.setRemoteDescription({type: 'answer', sdp: response.body})
      await waitForConnected(pc, handshakeTimeoutMs, 'WHEP source connection', signal)
      const gatherEnds = Date.now() + trackGatherTimeoutMs
      while (lastRtpAt === 0) {
        if (Date.now() > gatherEnds) throw new R58Error('E_TIMEOUT', 'deadline exceeded while waiting tracks')
        await sleep(10, signal)
      }
      this.state = 'ready'
      this.readyTime = new Date().toISOString()
      this.lastError = null
      log({
        level: 'info',
        event: 'standin.path.ready',
        msg: `[path ${this.path}] [WebRTC source] ready: ${this.tracks.length} track(s)`,
        path: this.path,
      })
      await new Promise<void>((resolve) => {
        const watch = setInterval(
          () => {
            if (Date.now() - lastRtpAt >= readTimeoutMs) finish('no RTP within readTimeout')
          },
          Math.max(20, Math.floor(readTimeoutMs / 10)),
        )
        const subscription = pc.connectionStateChange.subscribe((state) => {
          if (state === 'failed' || state === 'closed') finish(`peer connection ${state}`)
        })
        const finish = (why: string) => {
          clearInterval(watch)
          subscription.unSubscribe()
          signal.removeEventListener('abort', onAbort)
          if (!signal.aborted) this.lastError = why
          resolve()
        }
        const onAbort = () => finish('stopped')
        signal.addEventListener('abort', onAbort, {once: true})
      })
      if (!signal.aborted) throw new R58Error('E_UNREACHABLE', `source ended: ${this.lastError}`)
    } finally {
      if (location) {
        await httpRequest(location, {method: 'DELETE', timeoutMs: 2000, step: 'WHEP DELETE'}).catch(() => {})
      }
      await pc.close().catch(() => {})
      await sockets.release()
    }
  }

  /** Stops pulling and frees the peer (the path was removed, or the stand-in stops). */
  async stop(): Promise<void> {
    this.#abort.abort()
    this.state = 'stopped'
    await this.#running
  }
}

/** MediaMTX's timings for WHEP sources: path keys (v1.16.2+) over the WebRTC server's, then the defaults. */
export function whepSourceSettings(
  raw: Record<string, unknown>,
  conf: Record<string, unknown> = {},
): Pick<WhepSourceOptions, 'handshakeTimeoutMs' | 'trackGatherTimeoutMs' | 'readTimeoutMs' | 'retryPauseMs'> {
  const defaults = (raw['pathDefaults'] ?? {}) as Record<string, unknown>
  const ms = (fallback: number, ...values: unknown[]) => {
    for (const value of values) {
      const parsed = typeof value === 'string' ? parseDuration(value) : typeof value === 'number' ? value : undefined
      if (parsed !== undefined) return parsed
    }
    return fallback
  }
  return {
    handshakeTimeoutMs: ms(10_000, conf['whepHandshakeTimeout'], defaults['whepHandshakeTimeout']),
    trackGatherTimeoutMs: ms(2_000, conf['whepTrackGatherTimeout'], defaults['whepTrackGatherTimeout']),
    readTimeoutMs: ms(10_000, raw['readTimeout']),
    retryPauseMs: 5_000,
  }
}

/** The stand-in's WHEP-sourced paths: one puller per path whose `source` is whep:// or wheps://. */
export class WhepSources {
  readonly #pullers = new Map<string, WhepSourcePuller>()
  readonly #raw: () => Record<string, unknown>
  readonly #log: Log
  readonly #onRtp: WhepSourceOptions['onRtp']
  readonly #retryPauseMs: number | undefined
  readonly #hostAddresses: () => string[]

  constructor(options: {
    raw: () => Record<string, unknown>
    log: Log
    onRtp?: WhepSourceOptions['onRtp']
    /** Instead of MediaMTX's 5 s (tests). */
    retryPauseMs?: number | undefined
    /** The addresses MediaMTX gathers on (its interfaces), read when a pull starts. */
    hostAddresses?: () => string[]
  }) {
    this.#hostAddresses = options.hostAddresses ?? (() => ['127.0.0.1'])
    this.#raw = options.raw
    this.#log = options.log
    this.#onRtp = options.onRtp
    this.#retryPauseMs = options.retryPauseMs
  }

  /** A path was added, changed or removed (conf undefined). */
  set(name: string, conf: Record<string, unknown> | undefined): void {
    const source = typeof conf?.['source'] === 'string' ? (conf['source'] as string) : ''
    const current = this.#pullers.get(name)
    if (current && current.url === source) return
    if (current) {
      this.#pullers.delete(name)
      void current.stop()
    }
    if (!conf || whepHttpUrl(source) === undefined) return
    const token = conf['whepBearerToken']
    const puller = new WhepSourcePuller({
      path: name,
      url: source,
      bearerToken: typeof token === 'string' && token !== '' ? token : undefined,
      ...whepSourceSettings(this.#raw(), conf),
      ...(this.#retryPauseMs !== undefined && {retryPauseMs: this.#retryPauseMs}),
      log: this.#log,
      onRtp: this.#onRtp,
      hostAddresses: this.#hostAddresses(),
    })
    this.#pullers.set(name, puller)
    puller.start()
  }

  /** Paths of the config file whose source is WHEP. */
  /** Pulls exactly the whep:// sources of `raw`'s paths: new ones start, changed ones restart, removed ones stop. */
  fromFile(raw: Record<string, unknown>): void {
    const paths = (raw['paths'] ?? {}) as Record<string, unknown>
    for (const name of [...this.#pullers.keys()]) {
      if (!Object.hasOwn(paths, name)) this.set(name, undefined)
    }
    for (const [name, conf] of Object.entries(paths)) {
      if (conf && typeof conf === 'object') this.set(name, conf as Record<string, unknown>)
    }
  }

  pullers(): WhepSourcePuller[] {
    return [...this.#pullers.values()]
  }

  /** The paths as the control API lists them (ready once a pull delivers RTP). */
  paths(): StandinPath[] {
    return this.pullers().map((p) => ({
      name: p.path,
      confName: p.path,
      ready: p.state === 'ready',
      readyTime: p.readyTime,
      source: p.state === 'ready' ? {type: 'webRTCSource', id: ''} : null,
      tracks: p.tracks.filter((t) => t.packets > 0).map((t) => t.codec),
      inboundBytes: p.inboundBytes,
      outboundBytes: 0,
      readers: [],
    }))
  }

  async stopAll(): Promise<void> {
    const all = [...this.#pullers.values()]
    this.#pullers.clear()
    await Promise.all(all.map((p) => p.stop()))
  }
}
