/**
 * The embedded default for `r58 diagnose --lab` (and `npm start`): a complete stack on loopback, no accounts.
 *
 * - a MediaMTX stand-in that, like the studio box, advertises its LAN address (192.168.1.58, never contacted)
 *   next to 127.0.0.1, and uses no TURN itself — so the "TURN on MediaMTX" option fails, with its fix;
 * - the Calls emulator and a relay in whep mode (the stand-in pulls guests from Calls) — so the "Calls relay"
 *   option works;
 * - coturn when it is installed, as the TURN server a remote guest would use. It relays from 127.0.0.2 and
 *   refuses 127.0.0.1 as a peer, so that, as in the field, a guest's relay cannot reach MediaMTX's host
 *   candidates; relay-to-relay paths (127.0.0.2) stay open.
 * Everything binds to loopback; nothing is sent anywhere else.
 */
import {randomBytes} from 'node:crypto'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {DiagnoseOptions} from '../../diagnose/diagnose-types.js'
import {type RunningRelay, startRelay} from '../../relay/relay-server.js'
import {parseTokensFile} from '../../relay/tokens.js'
import {type Log, silentLog} from '../../util/log.js'
import {type CallsEmulator, startCallsEmulator} from '../calls-sfu/sfu-server.js'
import {type MediamtxStandin, startMediamtxStandin} from '../mediamtx/standin-server.js'
import {type CoturnLab, findTurnserver, startCoturn} from './coturn.js'

/** The LAN address the stand-in advertises, as a studio box on 192.168.1.0/24 would. Never contacted. */
export const LAB_LAN_ADDRESS = '192.168.1.58'

export const LAB_MEDIAMTX_YML = `# r58 lab: MediaMTX as on a studio box behind NAT (no TURN, LAN host candidates only).
webrtc: yes
webrtcAddress: :8889
webrtcLocalUDPAddress: :8189
webrtcLocalTCPAddress: ''
webrtcIPsFromInterfaces: yes
webrtcIPsFromInterfacesList: []
webrtcAdditionalHosts: []
webrtcICEServers2: []
api: yes
apiAddress: :9997
paths:
  all_others:
`

export interface LabOptions {
  /** Start coturn when installed (default), or never. */
  coturn?: 'auto' | 'off'
  /** Configure the stand-in with the lab's coturn (not clientOnly): then "TURN on MediaMTX" works too. */
  turnOnMediamtx?: boolean
  log?: Log
}

export interface LabParts {
  mediamtx: {whipUrl: string; apiUrl: string | null; configPath: string}
  calls: {apiBase: string; appId: string}
  relay: {url: string}
  coturn: {turnUrl: string; username: string} | null
}

export interface Lab {
  /** Diagnose options pointing at this stack. */
  diagnose: DiagnoseOptions
  parts: LabParts
  close(): Promise<void>
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const log = options.log ?? silentLog
  const dir = await mkdtemp(join(tmpdir(), 'r58-lab-'))
  const configPath = join(dir, 'mediamtx.yml')
  await writeFile(configPath, LAB_MEDIAMTX_YML, {mode: 0o644})
  const appId = 'r58-lab'
  const appSecret = randomBytes(24).toString('hex')
  const relayToken = randomBytes(24).toString('hex')
  const opened: {close(): Promise<void>}[] = []
  const closeAll = async () => {
    for (const part of opened.reverse()) await part.close().catch(() => {})
    await rm(dir, {recursive: true, force: true})
  }
  try {
    let coturn: CoturnLab | undefined
    if (options.coturn !== 'off' && findTurnserver()) {
      coturn = await startCoturn({
        relayIp: '127.0.0.2',
        extraConfig: ['denied-peer-ip=127.0.0.1', 'allowed-peer-ip=127.0.0.2'],
      })
      const started = coturn
      opened.push({close: () => started.stop()})
    }
    if (options.turnOnMediamtx && coturn) {
      const server = `  - url: ${coturn.turnUrls.udp}\n    username: ${coturn.username}\n    password: ${coturn.credential}\n`
      await writeFile(configPath, LAB_MEDIAMTX_YML.replace('webrtcICEServers2: []\n', `webrtcICEServers2:\n${server}`))
    }
    // The lab's TURN password as a file, so that the printed `mediamtx configure --turn …` fix runs as printed.
    const turnPasswordFile = join(dir, 'turn-password')
    if (coturn) await writeFile(turnPasswordFile, coturn.credential, {mode: 0o600})
    const mediamtx: MediamtxStandin = await startMediamtxStandin({
      configPath,
      whipPort: 0,
      apiPort: 0,
      interfaces: [
        {name: 'lo', address: '127.0.0.1'},
        {name: 'eth0', address: LAB_LAN_ADDRESS},
      ],
      log,
    })
    opened.push(mediamtx)
    const calls: CallsEmulator = await startCallsEmulator({apps: new Map([[appId, appSecret]]), log})
    opened.push(calls)
    const relay: RunningRelay = await startRelay({
      host: '127.0.0.1',
      port: 0,
      calls: {appId, appSecret, apiBase: calls.apiBase},
      target: `${mediamtx.whipUrl}/{path}/whip`,
      tokens: parseTokensFile(`* ${relayToken}\n`, 'lab'),
      stunUrls: [],
      log,
      // issue 14: the lab's MediaMTX pulls guests straight from Calls (whep mode).
      whep: {mode: 'whep', mediamtxApi: {url: mediamtx.apiUrl ?? ''}},
    })
    opened.push(relay)
    const diagnose: DiagnoseOptions = {
      mediamtx: {whipUrl: mediamtx.whipUrl, path: 'r58-probe', apiUrl: mediamtx.apiUrl ?? undefined, configPath},
      calls: {appId, appSecret, apiBase: calls.apiBase},
      relay: {url: relay.url, token: relayToken, adminUrl: relay.adminUrl},
      ...(coturn && {
        turn: {
          iceServers: [{urls: [coturn.turnUrls.udp], username: coturn.username, credential: coturn.credential}],
          source: 'the lab coturn',
          configureArgs: [
            '--turn',
            coturn.turnUrls.udp,
            '--turn-username',
            coturn.username,
            '--turn-credential-file',
            turnPasswordFile,
          ],
        },
      }),
      via: ['this-host'],
      // No shorter step bound: a path that cannot work is concluded from the answer's candidates, not waited
      // out, and on a loaded machine a working path needs the default's room.
      // The lab has no tailnet, whatever this machine has: nothing is probed beyond loopback.
      tailscale: {
        exec: async () => {
          throw Object.assign(new Error('the lab has no tailnet'), {code: 'ENOENT'})
        },
        interfaces: () => ({}),
      },
    }
    return {
      diagnose,
      parts: {
        mediamtx: {whipUrl: mediamtx.whipUrl, apiUrl: mediamtx.apiUrl, configPath},
        calls: {apiBase: calls.apiBase, appId},
        relay: {url: relay.url},
        coturn: coturn ? {turnUrl: coturn.turnUrls.udp, username: coturn.username} : null,
      },
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
