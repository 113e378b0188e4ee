/**
 * Flags shared by `mediamtx check`, `configure` and `turn-refresh`. The mediamtx.yml path is `--file`/`-f`
 * (setting mediamtx.configPath, R58_MEDIAMTX_CONFIG_PATH): `--config` is r58's own config file everywhere.
 * The control API is `--mediamtx-api-url URL` with `--mediamtx-api-user` / `--mediamtx-api-password-file`.
 */
import {Flags} from '@oclif/core'
import type {Settings} from '../config/setting-resolve.js'
import type {SettingKey} from '../config/settings.js'
import type {MediamtxApiOptions} from '../mediamtx/api-client.js'
import type {ConfigureRequest} from '../mediamtx/configure-request.js'
import type {MediamtxCheckOptions} from '../mediamtx/mediamtx-check.js'
import type {TurnRefreshOptions} from '../mediamtx/turn-refresh.js'
import {type SettingFlagOptions, settingFlags, timeoutFlag} from './flags.js'

/** `-f, --file FILE`: the same flag wherever a command reads mediamtx.yml (the registry names it). */
export const MEDIAMTX_FILE_FLAG: SettingFlagOptions = {helpValue: 'FILE'}

const NAMES: Partial<Record<SettingKey, SettingFlagOptions>> = {
  'mediamtx.configPath': MEDIAMTX_FILE_FLAG,
  'mediamtx.apiUrl': {aliases: ['api']},
}

export function mediamtxFlags() {
  const settings = settingFlags(
    ['mediamtx.configPath', 'mediamtx.apiUrl', 'mediamtx.apiUser', 'mediamtx.apiPassword'],
    NAMES,
  )
  return {
    ...settings,
    'mediamtx-version': Flags.string({
      summary: "MediaMTX release the config is for (default: from --api, else inferred from the file's keys)",
      helpValue: 'VERSION',
    }),
    timeout: timeoutFlag(3000, 'Deadline for each control API request'),
  }
}

/** The TURN flags of `configure` and `turn-refresh`: Cloudflare key (turn.*) and a static TURN user/password. */
export const turnFlagNames: Partial<Record<SettingKey, SettingFlagOptions>> = {
  'turn.credential': {aliases: ['turn-password']},
}

/** The control API from the settings; `explicit` when the address was given (flag, env or config file). */
export function mediamtxApiOf(settings: Settings, timeoutMs: number): MediamtxApiOptions & {explicit: boolean} {
  const user = settings.get('mediamtx.apiUser')
  const password = settings.get('mediamtx.apiPassword')
  return {
    baseUrl: settings.require('mediamtx.apiUrl'),
    ...(user !== undefined && {user}),
    ...(password !== undefined && {password}),
    timeoutMs,
    explicit: (settings.origin('mediamtx.apiUrl')?.layer ?? 'default') !== 'default',
  }
}

/** Cloudflare TURN key settings, when `--cloudflare-turn` is on. */
export function cloudflareTurnOf(settings: Settings, ttlSeconds: number, timeoutMs: number) {
  return {
    keyId: settings.require('turn.keyId', 'for --cloudflare-turn'),
    token: settings.require('turn.keyToken', 'for --cloudflare-turn'),
    apiBase: settings.require('turn.apiBase'),
    ttlSeconds,
    timeoutMs,
  }
}

/** The parsed flags `mediamtx configure` maps onto a request. */
export interface ConfigureFlags {
  timeout: number
  'mediamtx-version'?: string | undefined
  'add-host'?: string[] | undefined
  tailscale: boolean
  turn?: string[] | undefined
  'cloudflare-turn': boolean
  ttl: number
  'client-only': boolean
  'remove-ice-server'?: string[] | undefined
  'tcp-address'?: string | undefined
  'udp-address'?: string | undefined
  'migrate-deprecated': boolean
  'add-path'?: string[] | undefined
  write: boolean
  apply: boolean
  force: boolean
  backup: boolean
}

export function configureRequestOf(flags: ConfigureFlags, settings: Settings, signal: AbortSignal): ConfigureRequest {
  const api = mediamtxApiOf(settings, flags.timeout)
  return {
    file: settings.get('mediamtx.configPath'),
    version: flags['mediamtx-version'],
    api: api.explicit || flags.apply ? api : undefined,
    addHosts: flags['add-host'] ?? [],
    tailscale: flags.tailscale,
    turnUrls: flags.turn ?? [],
    turnUsername: settings.get('turn.username'),
    turnPassword: settings.get('turn.credential'),
    cloudflareTurn: flags['cloudflare-turn'] ? cloudflareTurnOf(settings, flags.ttl, flags.timeout) : undefined,
    clientOnly: flags['client-only'],
    removeIceServers: flags['remove-ice-server'] ?? [],
    tcpAddress: flags['tcp-address'],
    udpAddress: flags['udp-address'],
    migrateDeprecated: flags['migrate-deprecated'],
    addPaths: flags['add-path'] ?? [],
    write: flags.write,
    apply: flags.apply,
    force: flags.force,
    backup: flags.backup,
    env: process.env,
    signal,
  }
}

/** The parsed flags `mediamtx turn-refresh` maps onto its options. */
export interface TurnRefreshFlags {
  timeout: number
  'mediamtx-version'?: string | undefined
  ttl: number
  margin?: number | undefined
  force: boolean
  'client-only': boolean
  'state-file'?: string | undefined
  backup: boolean
}

export function turnRefreshOptionsOf(
  flags: TurnRefreshFlags,
  settings: Settings,
  signal: AbortSignal,
): TurnRefreshOptions {
  const api = mediamtxApiOf(settings, flags.timeout)
  return {
    file: settings.get('mediamtx.configPath'),
    api: api.explicit ? api : undefined,
    version: flags['mediamtx-version'],
    turn: cloudflareTurnOf(settings, flags.ttl, flags.timeout),
    clientOnly: flags['client-only'],
    force: flags.force,
    backup: flags.backup,
    env: process.env,
    signal,
    ...(flags.margin !== undefined && {marginMs: flags.margin}),
    ...(flags['state-file'] !== undefined && {stateFile: flags['state-file']}),
  }
}

/** `mediamtx check` options. */
export function checkOptionsOf(
  flags: Pick<ConfigureFlags, 'timeout' | 'mediamtx-version'>,
  settings: Settings,
  signal: AbortSignal,
): MediamtxCheckOptions {
  return {
    file: settings.get('mediamtx.configPath'),
    api: mediamtxApiOf(settings, flags.timeout),
    version: flags['mediamtx-version'],
    env: process.env,
    signal,
  }
}
