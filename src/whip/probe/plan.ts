/** Step 2, the plan: which ICE servers the probe's peer uses (flags, else the Link headers), and its relay. */
import {type IceServer, iceServerUrls, parseIceUrl} from '../../ice/ice-url.js'
import {isLoopbackAddress} from '../../net/address-class.js'
import type {ProbeContext} from './probe-context.js'

export interface IcePlan {
  /** Exactly what the peer gets: the first STUN and the chosen TURN URL. */
  peerServers: IceServer[]
  relay: IceServer | undefined
}

/** The plan, or undefined when --relay-only has no TURN server (a failed POST check says so). */
export async function planIceServers(ctx: ProbeContext, linkServers: IceServer[]): Promise<IcePlan | undefined> {
  const {options, report} = ctx
  let iceServers: IceServer[]
  if (options.iceServers && options.iceServers.length > 0) {
    iceServers = options.iceServers.map((s) => ({
      ...s,
      ...(s.username === undefined && options.iceUsername !== undefined && {username: options.iceUsername}),
      ...(s.credential === undefined && options.iceCredential !== undefined && {credential: options.iceCredential}),
    }))
    report.iceServers.source = 'flag'
  } else {
    iceServers = linkServers
    report.iceServers.source = linkServers.length > 0 ? 'options' : 'none'
  }
  if (ctx.loopbackOnly) iceServers = loopbackServersOnly(ctx, iceServers)
  const relay = pickRelay(iceServers)
  report.iceServers.relay = relay ? String(relay.urls) : null
  // werift uses the first STUN and the first TURN URL only: hand it exactly those.
  const stun = iceServerUrls(iceServers).find((url) => /^stuns?:/i.test(url))
  const peerServers: IceServer[] = [...(stun ? [{urls: stun}] : []), ...(relay ? [relay] : [])]
  report.iceServers.urls = iceServerUrls(peerServers)
  if (ctx.relayOnly && !relay) {
    ctx.stopReason = '--relay-only without a TURN server'
    await ctx.run('whip.post', async () => ({
      status: 'fail',
      evidence: '--relay-only needs a TURN server, and none was given or handed out in Link headers',
      fix: 'Give --ice-server turn:host:3478?transport=udp (with --turn-username/--turn-credential-file), or let MediaMTX hand one out (webrtcICEServers2 with clientOnly: true)',
    }))
    return undefined
  }
  return {peerServers, relay}
}

/** --via this-host: nothing is sent off this machine, so ICE servers elsewhere are set aside (and listed). */
function loopbackServersOnly(ctx: ProbeContext, iceServers: IceServer[]): IceServer[] {
  const remote = iceServerUrls(iceServers).filter((url) => !isLoopbackAddress(hostOf(url) ?? ''))
  if (remote.length > 0)
    ctx.report.iceServers.ignored.push(...remote.map((url) => `${url} (not loopback, --via this-host)`))
  return iceServers
    .map((s) => ({
      ...s,
      urls: (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => isLoopbackAddress(hostOf(u) ?? '')),
    }))
    .filter((s) => s.urls.length > 0)
}

function pickRelay(servers: readonly IceServer[]): IceServer | undefined {
  const entries = servers.flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls]).map((url) => ({...s, urls: url}) as IceServer & {urls: string}),
  )
  const turn = entries.filter((s) => /^turns?:/i.test(s.urls))
  const rank = (url: string) => (url.startsWith('turns:') ? 2 : /transport=tcp/i.test(url) ? 1 : 0)
  return turn.sort((a, b) => rank(a.urls) - rank(b.urls))[0]
}

function hostOf(url: string): string | undefined {
  try {
    return parseIceUrl(url).host
  } catch {
    return undefined
  }
}
