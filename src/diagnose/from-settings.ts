/** From resolved settings to diagnose options: what the engineer configured, nothing assumed. */
import type {Settings} from '../config/resolve.js'
import type {IceServer} from '../ice/ice-url.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {fetchCloudflareIceServers} from '../turn/cloudflare-credentials.js'
import type {OptionId} from './options.js'
import type {DiagnoseOptions} from './types.js'

/** TURN servers for the relay-only probe: configured URLs, else minted Cloudflare credentials, else none. */
async function guestTurn(settings: Settings, signal?: AbortSignal): Promise<DiagnoseOptions['turn']> {
  const urls = settings.get('turn.urls') ?? []
  if (urls.length > 0) {
    for (const url of urls) parseIceUrl(url, '--turn-urls')
    const server: IceServer = {urls}
    const username = settings.get('turn.username')
    const credential = settings.get('turn.credential')
    if (username !== undefined) server.username = username
    if (credential !== undefined) server.credential = credential
    return {iceServers: [server], source: 'turn.urls'}
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
    return {iceServers: minted.iceServers, source: 'Cloudflare TURN'}
  }
  return undefined
}

export async function diagnoseOptionsFrom(
  settings: Settings,
  flags: {require?: readonly OptionId[]; timeoutMs: number},
  signal?: AbortSignal,
): Promise<DiagnoseOptions> {
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
    turn: await guestTurn(settings, signal),
    calls: appId && appSecret ? {appId, appSecret, apiBase: settings.get('calls.apiBase')} : undefined,
    relay: {url: settings.require('relay.url'), token: settings.get('relay.token')},
    ...(flags.require && {require: flags.require}),
    timeoutMs: flags.timeoutMs,
    ...(signal && {signal}),
  }
}
