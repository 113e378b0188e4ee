/**
 * `r58 calls check`: proves an app id and secret work end to end against Calls (or the emulator): create a
 * session, push a short synthetic VP8 track from a werift peer, pull it into a second session, confirm RTP
 * arrives (with latency from the frames' stamps), and close the tracks. Each step is a timed check; a
 * rejected secret exits 5, an unreachable API 4, media that never arrives 3.
 */
import {randomBytes} from 'node:crypto'
import type {Dispatcher} from 'undici'
import type {RTCPeerConnection} from 'werift'
import {type ExitCode, R58Error} from '../errors.js'
import {createPeer, localDescription, type PeerOptions, waitForConnected} from '../media/peer.js'
import {createSyntheticSource, readSyntheticStamp, type SyntheticSource} from '../media/synthetic.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {type Check, exitCodeOf, isOk, runCheck, skippedCheck} from '../report/check.js'
import {type Log, silentLog} from '../util/log.js'
import {CallsClient} from './calls-client.js'
import {isSessionGone} from './calls-errors.js'
import {DEFAULT_CALLS_API_BASE} from './calls-types.js'
import type {RetryPolicy} from './retry.js'

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

const CHECKS = {
  session: ['calls.session.new', 'Create a session'],
  push: ['calls.push', 'Push a synthetic VP8 track'],
  pull: ['calls.pull', 'Pull it into a second session'],
  media: ['calls.media', 'RTP arrives at the subscriber'],
  close: ['calls.close', 'Close the tracks'],
} as const

/** How long Calls may hold a request while it waits for a connection (docs/calls-api.md "Timings and limits"). */
const SERVICE_BLOCK_MS = 5000
/** Subscriber sessions tried when the first is gone (410) before its exchange finished. */
const PULL_SESSION_ATTEMPTS = 2

/**
 * What the service did that the client absorbed (retries after 429/425/5xx, waits for the publisher), as
 * sentences for the report: a pass that needed retries says so.
 */
function serviceRecorder(log: Log) {
  const events: string[] = []
  return {
    log: ((event) => {
      if (event.event === 'calls.retry') {
        const what = event['status'] === undefined ? String(event['failure']) : `HTTP ${event['status']}`
        const code = event['errorCode'] === undefined ? '' : ` ${event['errorCode']}`
        events.push(`${what}${code}, retried after ${event['delayMs']} ms`)
      } else if (event.event === 'calls.pull.wait') {
        events.push(`${event['errorCode']} (publisher not ready), pulled again after ${event['delayMs']} ms`)
      }
      log(event)
    }) satisfies Log,
    note: (sentence: string) => events.push(sentence),
    mark: () => events.length,
    since: (mark: number) => events.slice(mark),
  }
}

function defaultPeerOptions(apiBase: string): PeerOptions {
  let host = ''
  try {
    host = new URL(apiBase).hostname.replace(/^\[|\]$/g, '')
  } catch {
    // invalid URLs fail in the first request
  }
  if (host === 'localhost' || isLoopbackAddress(host)) return {hostAddresses: ['127.0.0.1']}
  return {iceServers: [{urls: 'stun:stun.cloudflare.com:3478'}]}
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10)

export async function runCallsCheck(options: CallsCheckOptions): Promise<CallsCheckReport> {
  const apiBase = (options.apiBase ?? DEFAULT_CALLS_API_BASE).replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 10_000
  const wanted = options.packets ?? 30
  const peerOptions = options.peer ?? defaultPeerOptions(apiBase)
  const service = serviceRecorder(options.log ?? silentLog)
  const client = new CallsClient({
    appId: options.appId,
    appSecret: options.appSecret,
    apiBase,
    // Calls holds a request up to 5 s while it waits for a connection: never time out before that.
    timeoutMs: Math.max(timeoutMs, SERVICE_BLOCK_MS + 3000),
    log: service.log,
    retry: {attempts: 3, trackWaitMs: timeoutMs, ...options.retry},
    ...(options.dispatcher && {dispatcher: options.dispatcher}),
  })
  const checks: Check[] = []
  const trackName = `r58-check-${randomBytes(4).toString('hex')}`
  let source: SyntheticSource | undefined
  let publisher: RTCPeerConnection | undefined
  let subscriber: RTCPeerConnection | undefined
  let publisherSession: string | undefined
  let publisherMid: string | undefined
  let subscriberSession: string | undefined
  let subscriberMid: string | undefined
  let media: CallsCheckMedia | null = null
  const signal = options.signal
  const skip = (key: keyof typeof CHECKS, reason: string) =>
    checks.push(skippedCheck(CHECKS[key][0], CHECKS[key][1], reason))
  const failed = () => checks.some((c) => c.status === 'fail')

  try {
    checks.push(
      await runCheck(CHECKS.session[0], CHECKS.session[1], async () => {
        const mark = service.mark()
        const started = performance.now()
        const session = await client.newSession({correlationId: 'r58-calls-check', ...(signal && {signal})})
        publisherSession = session.sessionId
        const happened = service.since(mark)
        return {
          status: 'pass',
          evidence: `session ${session.sessionId} created in ${Math.round(performance.now() - started)} ms${happened.length > 0 ? `; ${happened.join('; ')}` : ''}`,
          data: {sessionId: session.sessionId, service: happened},
        }
      }),
    )

    if (failed()) skip('push', 'not run: no session')
    else {
      checks.push(
        await runCheck(CHECKS.push[0], CHECKS.push[1], async () => {
          const mark = service.mark()
          publisher = createPeer(peerOptions)
          source = createSyntheticSource({codec: 'vp8', bitrateKbps: 300, keyframeIntervalMs: 1000})
          const transceiver = publisher.addTransceiver(source.track, {direction: 'sendonly'})
          source.attach(transceiver.sender)
          await publisher.setLocalDescription(await publisher.createOffer())
          publisherMid = transceiver.mid ?? '0'
          const push = await client.pushTracks(publisherSession as string, {
            offer: localDescription(publisher),
            tracks: [{mid: publisherMid, trackName}],
            ...(signal && {signal}),
          })
          const started = performance.now()
          await publisher.setRemoteDescription(push.answer)
          await waitForConnected(publisher, timeoutMs, 'publisher connection', signal)
          const happened = service.since(mark)
          return {
            status: 'pass',
            evidence: `track ${trackName} on mid ${publisherMid}; ICE+DTLS connected in ${Math.round(performance.now() - started)} ms${happened.length > 0 ? `; ${happened.join('; ')}` : ''}`,
            data: {sessionId: publisherSession, trackName, mid: publisherMid, service: happened},
          }
        }),
      )
    }

    if (failed()) skip('pull', 'not run: nothing was pushed')
    else {
      checks.push(
        await runCheck(CHECKS.pull[0], CHECKS.pull[1], async () => {
          const mark = service.mark()
          let pull: Awaited<ReturnType<typeof client.pullTracks>> | undefined
          let peer: RTCPeerConnection | undefined
          // A subscriber session can be gone (410) before its first exchange: start over with a new one, once.
          for (let attempt = 1; pull === undefined; attempt++) {
            await subscriber?.close()
            const session = await client.newSession({correlationId: 'r58-calls-check', ...(signal && {signal})})
            subscriberSession = session.sessionId
            const candidate = createPeer(peerOptions)
            subscriber = candidate
            peer = candidate
            try {
              pull = await client.pullTracks(session.sessionId, {
                tracks: [{sessionId: publisherSession as string, trackName}],
                answer: async (offer) => {
                  await candidate.setRemoteDescription(offer)
                  await candidate.setLocalDescription(await candidate.createAnswer())
                  return localDescription(candidate)
                },
                ...(signal && {signal}),
              })
            } catch (error) {
              if (!isSessionGone(error) || attempt >= PULL_SESSION_ATTEMPTS) throw error
              service.note(
                `subscriber session ${session.sessionId} was gone (HTTP 410): pulled again with a new session`,
              )
            }
          }
          subscriberMid = pull.tracks[0]?.mid
          const started = performance.now()
          await waitForConnected(peer as RTCPeerConnection, timeoutMs, 'subscriber connection', signal)
          const happened = service.since(mark)
          return {
            status: 'pass',
            evidence: `session ${subscriberSession}, mid ${subscriberMid} after ${pull.attempts} request(s); connected in ${Math.round(performance.now() - started)} ms${happened.length > 0 ? `; ${happened.join('; ')}` : ''}`,
            data: {
              sessionId: subscriberSession,
              mid: subscriberMid ?? null,
              attempts: pull.attempts,
              service: happened,
            },
          }
        }),
      )
    }

    if (failed()) skip('media', 'not run: nothing was pulled')
    else {
      checks.push(
        await runCheck(CHECKS.media[0], CHECKS.media[1], async () => {
          media = await receive(subscriber as RTCPeerConnection, wanted, timeoutMs, signal)
          const m = media
          if (m.packets < wanted) {
            return {
              status: 'fail',
              failure: 'failed',
              evidence: `${m.packets} of ${wanted} RTP packets arrived within ${timeoutMs} ms`,
              fix: 'Both connections came up but media did not flow: check that UDP to the SFU is not filtered, then rerun with --timeout 30s.',
              data: {...m},
            }
          }
          const latency = m.latencyMsP50 === null ? '' : `, latency p50 ${m.latencyMsP50} ms (max ${m.latencyMsMax} ms)`
          return {
            status: 'pass',
            evidence: `${m.packets} packets (${m.frames} stamped frames), first after ${m.firstPacketMs} ms${latency}`,
            data: {...m},
          }
        }),
      )
    }

    if (publisherMid === undefined || publisherSession === undefined) skip('close', 'not run: nothing to close')
    else {
      checks.push(
        await runCheck(CHECKS.close[0], CHECKS.close[1], async () => {
          const closed: string[] = []
          if (subscriberSession !== undefined && subscriberMid !== undefined) {
            await client.closeTracks(subscriberSession, {mids: [subscriberMid], ...(signal && {signal})})
            closed.push(`subscriber mid ${subscriberMid}`)
          }
          await client.closeTracks(publisherSession as string, {
            mids: [publisherMid as string],
            ...(signal && {signal}),
          })
          closed.push(`publisher mid ${publisherMid}`)
          return {status: 'pass', evidence: `closed ${closed.join(' and ')} (forced)`}
        }),
      )
    }
  } finally {
    source?.stop()
    await Promise.allSettled([publisher?.close(), subscriber?.close()])
  }

  return {apiBase, appId: options.appId, checks, media, ok: isOk(checks), exitCode: exitCodeOf(checks)}
}

/** Counts RTP at the subscriber until `wanted` packets arrived or `timeoutMs` passed. */
function receive(
  pc: RTCPeerConnection,
  wanted: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CallsCheckMedia> {
  const started = performance.now()
  let packets = 0
  let frames = 0
  let firstPacketMs: number | null = null
  const latencies: number[] = []
  const subscriptions: {unSubscribe(): void}[] = []
  let done = false
  return new Promise((resolve, reject) => {
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      for (const s of subscriptions) s.unSubscribe()
      resolve({
        packets,
        frames,
        latencyMsP50: round(percentile(latencies, 50)),
        latencyMsMax: round(latencies.length > 0 ? Math.max(...latencies) : null),
        firstPacketMs: firstPacketMs === null ? null : Math.round(firstPacketMs),
      })
    }
    const onAbort = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const s of subscriptions) s.unSubscribe()
      reject(new R58Error('E_ABORTED', 'calls check: cancelled'))
    }
    const timer = setTimeout(finish, timeoutMs)
    const watch = (track: {onReceiveRtp: {subscribe(f: (p: {payload: Buffer}) => void): {unSubscribe(): void}}}) => {
      subscriptions.push(
        track.onReceiveRtp.subscribe((packet) => {
          packets += 1
          firstPacketMs ??= performance.now() - started
          const stamp = readSyntheticStamp(packet.payload)
          if (stamp) {
            frames += 1
            latencies.push(performance.timeOrigin + performance.now() - stamp.sentAt)
          }
          if (packets >= wanted) finish()
        }),
      )
    }
    for (const transceiver of pc.getTransceivers()) for (const track of transceiver.receiver.tracks) watch(track)
    subscriptions.push(pc.onTrack.subscribe((track) => watch(track)))
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, {once: true})
  })
}
