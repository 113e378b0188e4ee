/** The options and report of `r58 calls check`. */
import type {Dispatcher} from 'undici'
import type {ExitCode} from '../../errors.js'
import type {PeerOptions} from '../../media/peer.js'
import type {Check} from '../../report/check.js'
import type {Log} from '../../util/log.js'
import type {RetryPolicy} from '../retry.js'

export interface CallsCheckOptions {
  appId: string
  appSecret: string
  /** Default `https://rtc.live.cloudflare.com/v1`. */
  apiBase?: string
  /** Deadline of each step (HTTP request, connection, first media). Default 10000 ms. */
  timeoutMs?: number
  /** RTP packets the subscriber must receive. Default 30 (about a second of 300 kbit/s video). */
  packets?: number
  signal?: AbortSignal
  dispatcher?: Dispatcher
  /**
   * werift peer options. Default: loopback candidates and no STUN for a loopback API base (the emulator);
   * otherwise every interface and Cloudflare's STUN server.
   */
  peer?: PeerOptions
  retry?: Partial<RetryPolicy>
  log?: Log
}

export interface CallsCheckMedia {
  packets: number
  frames: number
  /** One-way latency from the synthetic frames' stamps (same clock: this process). */
  latencyMsP50: number | null
  latencyMsMax: number | null
  firstPacketMs: number | null
}

export interface CallsCheckReport {
  apiBase: string
  appId: string
  checks: Check[]
  media: CallsCheckMedia | null
  ok: boolean
  exitCode: ExitCode
}
