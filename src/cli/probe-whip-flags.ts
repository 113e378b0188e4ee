/** Flags of `r58 probe whip` and their mapping onto probeWhip() options (so the command stays two lines). */
import {Args, Flags} from '@oclif/core'
import type {Settings} from '../config/setting-resolve.js'
import type {IceServer} from '../ice/ice-url.js'
import {parseIceUrl} from '../ice/ice-url.js'
import type {AddressScope} from '../net/address-class.js'
import type {WhipProbeOptions} from '../whip/probe.js'
import {whipEndpointUrl} from '../whip/whip-endpoint.js'
import {durationFlag, settingFlags, timeoutFlag} from './flags.js'

export const VIA_SCOPES = ['this-host', 'lan', 'tailnet', 'internet'] as const

/** `--ice-server turn:host:3478?transport=udp`: checked at parse time (exit 2 on a bad URL). */
const iceServerFlag = Flags.custom<string>({
  helpValue: 'URL',
  parse: async (input) => parseIceUrl(input, '--ice-server').url,
})

export const probeWhipArgs = {
  url: Args.string({
    required: true,
    description: 'WHIP endpoint (http://box:8889/cam/whip), or a MediaMTX base URL (http://box:8889) used with --path',
  }),
}

export const probeWhipFlags = {
  'ice-server': iceServerFlag({
    multiple: true,
    summary: 'STUN/TURN server to use instead of the Link headers of the server (repeatable)',
  }),
  'relay-only': Flags.boolean({summary: 'Connect through the TURN relay only, as a guest behind a strict NAT would'}),
  duration: durationFlag({
    summary: 'How long to send media after the first packet',
    default: 3000,
    defaultHelp: async () => '3s',
  }),
  video: Flags.option({options: ['vp8', 'h264'] as const, default: 'vp8', summary: 'Video codec of the test stream'})(),
  via: Flags.option({
    options: VIA_SCOPES,
    multiple: true,
    delimiter: ',',
    summary: 'Connect only through server candidates of these scopes (this-host also keeps every packet on loopback)',
  })(),
  trickle: Flags.boolean({
    allowNo: true,
    default: true,
    summary: 'PATCH a trickle-ICE fragment after the POST (servers without trickle are fine either way)',
  }),
  timeout: timeoutFlag(5000, 'Deadline of each step (HTTP request, ICE checking, DTLS, first RTP, API)'),
  ...settingFlags(['mediamtx.token', 'probe.path', 'mediamtx.apiUrl', 'mediamtx.apiUser', 'mediamtx.apiPassword'], {
    'mediamtx.token': {aliases: ['token']},
    'mediamtx.apiUrl': {aliases: ['mediamtx-api']},
  }),
  ...settingFlags(['turn.username', 'turn.credential'], {
    'turn.username': {aliases: ['ice-username']},
    'turn.credential': {aliases: ['ice-credential']},
  }),
}

interface ProbeWhipFlagValues {
  'ice-server'?: string[] | undefined
  'relay-only': boolean
  duration: number
  video: 'vp8' | 'h264'
  via?: readonly (typeof VIA_SCOPES)[number][] | undefined
  trickle: boolean
  timeout: number
}

export function probeWhipOptions(
  url: string,
  flags: ProbeWhipFlagValues,
  settings: Settings,
  signal: AbortSignal,
): WhipProbeOptions {
  const iceServers: IceServer[] | undefined = flags['ice-server']?.map((u) => ({urls: u}))
  // The API is queried only when asked for (flag, env or config file), not from the built-in default.
  const apiLayer = settings.origin('mediamtx.apiUrl')?.layer
  const apiUrl = apiLayer !== undefined && apiLayer !== 'default' ? settings.get('mediamtx.apiUrl') : undefined
  return {
    url: whipEndpointUrl(url, settings.get('probe.path') ?? 'r58-probe'),
    token: settings.get('mediamtx.token'),
    iceServers,
    iceUsername: settings.get('turn.username'),
    iceCredential: settings.get('turn.credential'),
    relayOnly: flags['relay-only'],
    durationMs: flags.duration,
    video: flags.video,
    timeoutMs: flags.timeout,
    trickle: flags.trickle,
    via: flags.via as AddressScope[] | undefined,
    mediamtxApi:
      apiUrl === undefined
        ? undefined
        : {baseUrl: apiUrl, user: settings.get('mediamtx.apiUser'), password: settings.get('mediamtx.apiPassword')},
    signal,
  }
}
