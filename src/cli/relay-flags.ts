/** Flags of `r58 relay start`, and their mapping onto the relay's plan input. */
import {Flags} from '@oclif/core'
import type {Settings} from '../config/setting-resolve.js'
import type {RelayPlanInput} from '../relay/start.js'
import {type AnyFlag, type SettingMark, settingFlags} from './flags.js'

// A switch, not `--public-metrics true`: the setting (env, config file) still applies when it is absent.
const publicMetricsFlag: AnyFlag = Object.assign(
  Flags.boolean({
    summary:
      'Also serve /healthz and /metrics (no session ids, paths or tokens) to guests [env: R58_RELAY_PUBLIC_METRICS]',
  }) as unknown as AnyFlag,
  {r58Setting: 'relay.publicMetrics'} satisfies SettingMark,
)

export const relayStartFlags = {
  'insecure-no-auth': Flags.boolean({
    summary: 'Accept guests without a token (refused unless --listen is a loopback address; for local tests)',
  }),
  'dry-run': Flags.boolean({summary: 'Check the configuration and the listen address, print the plan, and exit'}),
  'public-metrics': publicMetricsFlag,
  ...settingFlags(
    [
      'relay.listen',
      'mediamtx.url',
      'relay.target',
      'relay.token',
      'relay.tokensFile',
      'relay.allowOrigins',
      'relay.maxSessions',
      'relay.adminListen',
      'relay.trustProxy',
      'relay.onConflict',
      'mediamtx.token',
      'calls.appId',
      'calls.appSecret',
      'calls.apiBase',
      'turn.keyId',
      'turn.keyToken',
      'turn.apiBase',
      'stun.urls',
      // issue 14: whep mode
      'relay.mode',
      'mediamtx.apiUrl',
      'mediamtx.apiUser',
      'mediamtx.apiPassword',
      'relay.whepListen',
      'relay.keepPaths',
      'relay.mediamtxPath',
    ],
    {
      'relay.listen': {aliases: ['listen']},
      'mediamtx.url': {aliases: ['mediamtx']},
      'relay.target': {aliases: ['target']},
      'relay.tokensFile': {aliases: ['tokens-file']},
      'relay.allowOrigins': {aliases: ['allow-origin']},
      'relay.maxSessions': {aliases: ['max-sessions']},
    },
  ),
}

export function relayPlanInput(settings: Settings, open: boolean): RelayPlanInput {
  const keyId = settings.get('turn.keyId')
  const keyToken = settings.get('turn.keyToken')
  // An explicit target wins; otherwise it follows --mediamtx (the default target is MediaMTX on this box).
  const targetGiven = settings.origin('relay.target')?.layer !== 'default'
  const mediamtxGiven = settings.origin('mediamtx.url')?.layer !== 'default'
  return {
    listen: settings.require('relay.listen'),
    calls: {
      appId: settings.require('calls.appId', 'the relay pulls guests from Calls'),
      appSecret: settings.require('calls.appSecret', 'the relay pulls guests from Calls'),
      apiBase: settings.get('calls.apiBase'),
    },
    ...(targetGiven || !mediamtxGiven
      ? {target: settings.get('relay.target')}
      : {mediamtxUrl: settings.get('mediamtx.url')}),
    targetToken: settings.get('mediamtx.token'),
    token: settings.get('relay.token'),
    tokensFile: settings.get('relay.tokensFile'),
    open,
    allowOrigins: settings.get('relay.allowOrigins') ?? ['*'],
    maxSessions: settings.get('relay.maxSessions') ?? 10,
    adminListen: settings.get('relay.adminListen'),
    trustProxy: settings.get('relay.trustProxy'),
    publicMetrics: settings.get('relay.publicMetrics'),
    onConflict: settings.get('relay.onConflict'),
    stunUrls: settings.get('stun.urls') ?? [],
    turnKey: keyId && keyToken ? {keyId, token: keyToken, apiBase: settings.get('turn.apiBase')} : undefined,
    // issue 14: whep mode
    mode: settings.get('relay.mode'),
    targetIsMediamtx: !targetGiven,
    mediamtxApi: {
      url: settings.require('mediamtx.apiUrl'),
      user: settings.get('mediamtx.apiUser'),
      password: settings.get('mediamtx.apiPassword'),
    },
    whepListen: settings.get('relay.whepListen'),
    keepPaths: settings.get('relay.keepPaths'),
    mediamtxPath: settings.get('relay.mediamtxPath'),
  }
}
