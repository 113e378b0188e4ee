/**
 * The shared world of the command-wide CLI tests: planted secrets and the local servers commands talk to.
 * Each command has an entry in COMMAND_CASES (command-cases.ts) built from this world.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CallsClient} from '../../src/calls/calls-client.js'
import {envNameOf, SETTING_KEYS, SETTINGS, type SettingDef, type SettingKey} from '../../src/config/settings.js'
import {type RunningRelay, startRelay} from '../../src/relay/relay-server.js'
import {parseTokensFile} from '../../src/relay/tokens.js'
import {type CallsEmulator, startCallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import {type CoturnLab, startCoturn} from '../../src/sim/lab/coturn.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../src/sim/mediamtx/standin-server.js'
import {createPublisher, pushConnected} from '../support/calls.js'
import {requireTurnserver} from '../support/coturn.js'
import {
  type MediamtxStandin as MediamtxApiStandin,
  startMediamtxStandin as startMediamtxApi,
} from '../support/mediamtx-api.js'
import {startTurnApi, type TurnApiStandin} from '../support/turn-api.js'

export interface World {
  dir: string
  /** One unique planted value per secret setting. */
  secrets: Map<SettingKey, string>
  /** Environment that plants every secret: half inline (R58_X), half as files (R58_X_FILE). */
  env: Record<string, string>
  /** A file holding the planted value of `key`. */
  secretFile(key: SettingKey): string
  turnApi: TurnApiStandin
  /** A relay into `mediamtx` through `calls`; its token for every path is the planted relay.token. */
  relay: RunningRelay
  /** A coturn on loopback whose user `r58` has the planted turn.credential as password. */
  coturn: CoturnLab
  /** The Calls emulator serving app `app-1` with the planted calls.appSecret. */
  calls: CallsEmulator
  /** A Calls session on `calls` that publishes a live track named `cam` (for `relay pull`). */
  callsSession: string
  /** MediaMTX control API (v1.20.1, user `r58`, the planted mediamtx.apiPassword). */
  mediamtxApi: MediamtxApiStandin
  /** MediaMTX stand-in advertising 127.0.0.1 and a LAN address; anonymous publish on path `cam` only. */
  mediamtx: MediamtxStandin
  close(): Promise<void>
}

/** The world's mediamtx.yml: anyone may publish to `cam`; other paths need credentials (401). */
export const WORLD_MEDIAMTX_YML = `webrtc: yes
webrtcAddress: :8889
webrtcLocalUDPAddress: :8189
webrtcIPsFromInterfaces: yes
webrtcAdditionalHosts: []
webrtcICEServers2: []
authInternalUsers:
  - user: any
    pass:
    ips: []
    permissions:
      - action: publish
        path: cam
paths:
  all_others:
`

export async function createWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'r58-world-'))
  const secrets = new Map<SettingKey, string>()
  const env: Record<string, string> = {}
  const files = new Map<SettingKey, string>()
  let i = 0
  for (const key of SETTING_KEYS) {
    if (!(SETTINGS[key] as SettingDef).secret) continue
    const value = `planted-${key.replace('.', '-')}-${Math.random().toString(36).slice(2, 10)}`
    secrets.set(key, value)
    const file = join(dir, `${key}.secret`)
    writeFileSync(file, `${value}\n`, {mode: 0o600})
    files.set(key, file)
    if (i++ % 2 === 0) env[envNameOf(key)] = value
    else env[`${envNameOf(key)}_FILE`] = file
  }
  const turnApi = await startTurnApi({'key-1': secrets.get('turn.keyToken') as string})
  requireTurnserver()
  const coturn = await startCoturn({auth: {username: 'r58', password: secrets.get('turn.credential') as string}})
  const calls = await startCallsEmulator({apps: new Map([['app-1', secrets.get('calls.appSecret') as string]])})
  const publisher = createPublisher(['vp8'])
  const callsSession = await pushConnected(
    new CallsClient({appId: 'app-1', appSecret: secrets.get('calls.appSecret') as string, apiBase: calls.apiBase}),
    publisher,
  )
  const mediamtxApi = await startMediamtxApi(
    'v1.20.1',
    {webrtc: true, webrtcLocalUDPAddress: ':8189', webrtcAdditionalHosts: [], webrtcICEServers2: []},
    {auth: {user: 'r58', pass: secrets.get('mediamtx.apiPassword') as string}},
  )
  const mediamtx = await startMediamtxStandin({
    configText: WORLD_MEDIAMTX_YML,
    whipPort: 0,
    apiPort: 0,
    interfaces: [
      {name: 'lo', address: '127.0.0.1'},
      {name: 'eth0', address: '192.168.1.58'},
    ],
  })
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: 'app-1', appSecret: secrets.get('calls.appSecret') as string, apiBase: calls.apiBase},
    target: `${mediamtx.whipUrl}/{path}/whip`,
    tokens: parseTokensFile(`* ${secrets.get('relay.token')}\n`, 'world'),
    stunUrls: [],
    timings: {publisherWaitMs: 500},
    log: () => {},
  })
  return {
    dir,
    secrets,
    env,
    secretFile: (key) => files.get(key) as string,
    turnApi,
    relay,
    coturn,
    calls,
    callsSession,
    mediamtx,
    mediamtxApi,
    close: async () => {
      await relay.close()
      await publisher.stop()
      await Promise.all([turnApi.close(), coturn.stop(), calls.close(), mediamtx.close(), mediamtxApi.close()])
    },
  }
}
