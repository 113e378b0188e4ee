/**
 * werift peer connections the way r58 needs them (docs/werift.md A2/A3):
 * - H.264 configured next to VP8 and Opus (werift's default is VP8 + Opus only; guests send H.264 or VP8);
 * - host candidates limited to the addresses given (loopback in tests and the offline lab), sockets bound
 *   to them;
 * - no public STUN server contacted unless one is configured: werift falls back to stun.l.google.com when
 *   `iceServers` has no STUN URL, so that fallback is switched off before every gathering;
 * - BUNDLE only (`max-bundle`), as Calls requires.
 */
import {isIPv4, isIPv6} from 'node:net'
import {
  type CandidatePair,
  type RTCIceServer,
  RTCPeerConnection,
  type RTCPeerConnectionConfig,
  RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  useH264,
  useOPUS,
  usePCMU,
  useSdesMid,
  useVP8,
} from 'werift'
import type {SessionDescription} from '../calls/calls-types.js'
import {R58Error} from '../errors.js'
import {isLoopbackAddress} from '../net/address-class.js'

export interface PeerOptions {
  /** STUN/TURN servers. Default none (and then no STUN server at all is contacted). */
  iceServers?: RTCIceServer[]
  /**
   * The only host addresses used as candidates, e.g. `['127.0.0.1']`. Default: every interface werift picks
   * (non-loopback).
   */
  hostAddresses?: readonly string[]
  /** Advertise ICE-lite and stay controlled (servers such as the Calls emulator). */
  iceLite?: boolean
  /** Override the codec set (fresh objects per peer: werift assigns payload types in place). */
  codecs?: {audio?: RTCRtpCodecParameters[]; video?: RTCRtpCodecParameters[]}
  headerExtensions?: {audio?: RTCRtpHeaderExtensionParameters[]; video?: RTCRtpHeaderExtensionParameters[]}
  /** Called for every STUN binding request received (liveness). */
  onStunRequest?: () => void
}

/** Opus, PCMU and PCMA: what Calls and browsers share for audio. */
export function audioCodecs(): RTCRtpCodecParameters[] {
  return [useOPUS(), usePCMU(), new RTCRtpCodecParameters({mimeType: 'audio/PCMA', clockRate: 8000, payloadType: 8})]
}

/** VP8 and H.264 (constrained baseline, packetization-mode 1): what guests send. */
export function videoCodecs(): RTCRtpCodecParameters[] {
  return [useVP8(), useH264()]
}

function hostConfig(addresses: readonly string[] | undefined): Partial<RTCPeerConnectionConfig> {
  if (addresses === undefined) return {}
  const v4 = addresses.filter((a) => isIPv4(a))
  const v6 = addresses.filter((a) => isIPv6(a))
  const interfaces: {udp4?: string; udp6?: string} = {}
  if (v4.length === 1) interfaces.udp4 = v4[0] as string
  if (v6.length === 1) interfaces.udp6 = v6[0] as string
  return {
    // Only the given addresses: no interface enumeration at all.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [...addresses],
    ...(Object.keys(interfaces).length > 0 && {iceInterfaceAddresses: interfaces}),
    // A peer kept to loopback pairs only with loopback: MediaMTX's answer also lists its LAN addresses, and
    // checks to them must not even be attempted.
    ...(addresses.length > 0 &&
      addresses.every(isLoopbackAddress) && {
        iceFilterCandidatePair: (pair: CandidatePair) => isLoopbackAddress(pair.remoteCandidate.host),
      }),
  }
}

function hasStunServer(servers: readonly RTCIceServer[]): boolean {
  return servers.some((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^stuns?:/i.test(url)),
  )
}

/** Switches off werift's built-in STUN fallback (stun.l.google.com) on every ICE transport of `pc`. */
export function disableDefaultStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) {
    const connection = (transport as unknown as {connection?: {stunServer?: unknown}}).connection
    if (connection) connection.stunServer = undefined
  }
}

export function createPeer(options: PeerOptions = {}): RTCPeerConnection {
  const iceServers = options.iceServers ?? []
  const pc = new RTCPeerConnection({
    iceServers,
    bundlePolicy: 'max-bundle',
    iceLite: options.iceLite ?? false,
    codecs: {audio: options.codecs?.audio ?? audioCodecs(), video: options.codecs?.video ?? videoCodecs()},
    headerExtensions: {
      audio: options.headerExtensions?.audio ?? [useSdesMid()],
      video: options.headerExtensions?.video ?? [useSdesMid()],
    },
    ...hostConfig(options.hostAddresses),
    ...(options.onStunRequest && {
      iceFilterStunResponse: () => {
        options.onStunRequest?.()
        return true
      },
    }),
  })
  if (!hasStunServer(iceServers)) {
    // Gathering happens in setLocalDescription; transports may be created as late as that.
    const setLocal = pc.setLocalDescription.bind(pc) as (d?: unknown) => Promise<unknown>
    ;(pc as unknown as {setLocalDescription: (d?: unknown) => Promise<unknown>}).setLocalDescription = async (
      description?: unknown,
    ) => {
      disableDefaultStun(pc)
      return setLocal(description)
    }
  }
  return pc
}

/** The local description as the API's `{type, sdp}` (after gathering: werift gathers in setLocalDescription). */
export function localDescription(pc: RTCPeerConnection): SessionDescription {
  const description = pc.localDescription
  if (!description || (description.type !== 'offer' && description.type !== 'answer')) {
    throw new R58Error('E_PROTOCOL', 'the peer connection has no local offer or answer')
  }
  return {type: description.type, sdp: description.sdp}
}

/** Resolves when `pc` is connected (ICE + DTLS); rejects on failure, close or after `timeoutMs`. */
export function waitForConnected(
  pc: RTCPeerConnection,
  timeoutMs: number,
  step = 'WebRTC connection',
  signal?: AbortSignal,
): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (error?: R58Error) => {
      clearTimeout(timer)
      subscription.unSubscribe()
      signal?.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve()
    }
    const onAbort = () => done(new R58Error('E_ABORTED', `${step}: cancelled`))
    const timer = setTimeout(
      () =>
        done(new R58Error('E_TIMEOUT', `${step}: not connected within ${timeoutMs} ms (state ${pc.connectionState})`)),
      timeoutMs,
    )
    const subscription = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') done()
      else if (state === 'failed' || state === 'closed') {
        done(new R58Error('E_UNREACHABLE', `${step}: the connection ${state} (ICE/DTLS did not complete)`))
      }
    })
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, {once: true})
  })
}
