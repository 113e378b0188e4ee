/** The parts of a relay test stack on loopback: a MediaMTX stand-in, and a relay in front of a Calls emulator. */

import {type RelayOptions, type RunningRelay, startRelay} from '../../src/relay/relay-server.js'
import {parseTokensFile} from '../../src/relay/tokens.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../src/sim/mediamtx/standin-server.js'

/** MediaMTX's defaults, any path publishable. */
export const OPEN_MEDIAMTX_YML = 'webrtcLocalUDPAddress: :8189\npaths:\n  all_others:\n'

/** A stand-in that advertises only 127.0.0.1, with its control API. */
export function startLoopbackStandin(configText = OPEN_MEDIAMTX_YML): Promise<MediamtxStandin> {
  return startMediamtxStandin({configText, whipPort: 0, apiPort: 0, interfaces: [{name: 'lo', address: '127.0.0.1'}]})
}

/** A relay on a free loopback port that publishes into `mediamtx`, with one token for every path. */
export function startTestRelay(
  options: {apiBase: string; appId: string; appSecret: string; mediamtx: MediamtxStandin; token: string} & Partial<
    Pick<RelayOptions, 'timings' | 'log' | 'ratePerSecond'>
  >,
): Promise<RunningRelay> {
  return startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: options.appId, appSecret: options.appSecret, apiBase: options.apiBase},
    target: `${options.mediamtx.whipUrl}/{path}/whip`,
    tokens: parseTokensFile(`* ${options.token}\n`, 'test'),
    stunUrls: [],
    log: options.log ?? (() => {}),
    ...(options.timings && {timings: options.timings}),
    ...(options.ratePerSecond !== undefined && {ratePerSecond: options.ratePerSecond}),
  })
}
