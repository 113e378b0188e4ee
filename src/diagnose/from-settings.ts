/** From resolved settings to diagnose options: what the engineer configured, nothing assumed. */
import type {FlagInput, Settings} from '../config/setting-resolve.js'
import type {SettingKey} from '../config/settings.js'
import type {IceServer} from '../ice/ice-url.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {fetchCloudflareIceServers} from '../turn/cloudflare-credentials.js'
import type {DiagnoseOptions} from './diagnose-types.js'
import type {CarrySetting} from './fix-command.js'
import type {OptionId} from './options.js'

/** TURN servers for the relay-only probe: configured URLs, else minted Cloudflare credentials, else none. */
async function guestTurn(
  settings: Settings,
  carry: CarrySetting,
  signal?: AbortSignal,
): Promise<DiagnoseOptions['turn']> {
  const urls = settings.get('turn.urls') ?? []
  if (urls.length > 0) {
    for (const url of urls) parseIceUrl(url, '--turn-urls')
    const server: IceServer = {urls}
    const username = settings.get('turn.username')
    const credential = settings.get('turn.credential')
    if (username !== undefined) server.username = username
    if (credential !== undefined) server.credential = credential
    return {
      iceServers: [server],
      source: 'turn.urls',
      configureArgs: [
        ...urls.flatMap((url) => ['--turn', url]),
        ...carry('turn.username', '--turn-username'),
        ...carry('turn.credential', '--turn-credential'),
      ],
    }
  }
  const keyId = settings.get('turn.keyId')
  const token = settings.get('turn.keyToken')
  if (keyId && token) {
    const minted = await fetchCloudflareIceServers({
      keyId,
      token,
      apiBase: settings.require('turn.apiBase'),
      ttlSeconds: 600,
      ...(signal && {signal}),
    })
    return {
      iceServers: minted.iceServers,
      source: 'Cloudflare TURN',
      configureArgs: [
        '--cloudflare-turn',
        ...carry('turn.keyId', '--turn-key-id'),
        ...carry('turn.keyToken', '--turn-key-token'),
        ...carry('turn.apiBase', '--turn-api-base'),
      ],
    }
  }
  return undefined
}

/**
 * How a printed fix gets the settings diagnose was given on its command line: the same value under the fix
 * command's flag, a secret as the same file (`--…-file PATH`). From the environment or the config file it
 * needs nothing: the fix runs where diagnose ran.
 */
export function carryFromFlags(settings: Settings, input: FlagInput): CarrySetting {
  return (key: SettingKey, flag: string) => {
    if (settings.origin(key)?.layer !== 'flag') return []
    const file = input.secretFiles.get(key)
    if (file !== undefined) return [`${flag}-file`, file]
    const value = input.values.get(key)
    if (value === undefined) return []
    return Array.isArray(value) ? value.flatMap((v) => [flag, String(v)]) : [flag, String(value)]
  }
}

export async function diagnoseOptionsFrom(
  settings: Settings,
  flags: {require?: readonly OptionId[]; timeoutMs: number; input?: FlagInput},
  signal?: AbortSignal,
): Promise<DiagnoseOptions> {
  const carry = flags.input ? carryFromFlags(settings, flags.input) : () => []
  const stunOrigin = settings.origin('stun.urls')?.layer
  const stunUrls = stunOrigin !== undefined && stunOrigin !== 'default' ? (settings.get('stun.urls') ?? []) : []
  const appId = settings.get('calls.appId')
  const appSecret = settings.get('calls.appSecret')
  return {
    mediamtx: {
      whipUrl: settings.require('mediamtx.url'),
      path: settings.require('probe.path'),
      token: settings.get('mediamtx.token'),
      apiUrl: settings.get('mediamtx.apiUrl'),
      apiUser: settings.get('mediamtx.apiUser'),
      apiPassword: settings.get('mediamtx.apiPassword'),
      configPath: settings.get('mediamtx.configPath'),
    },
    turn: await guestTurn(settings, carry, signal),
    // The default STUN server is the public Cloudflare one: only a STUN server the engineer named is asked;
    // otherwise the TURN servers (which answer STUN too) tell the public address.
    ...(stunUrls.length > 0 && {stun: {urls: stunUrls}}),
    carry,
    calls: appId && appSecret ? {appId, appSecret, apiBase: settings.get('calls.apiBase')} : undefined,
    relay: {
      url: settings.require('relay.url'),
      token: settings.get('relay.token'),
      adminUrl: settings.get('relay.adminUrl'),
    },
    ...(flags.require && {require: flags.require}),
    timeoutMs: flags.timeoutMs,
    ...(signal && {signal}),
  }
}
