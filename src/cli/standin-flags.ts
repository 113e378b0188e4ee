/** Flags of `r58 mediamtx standin`. */
import {Flags} from '@oclif/core'
import {R58Error} from '../errors.js'
import type {StandinInterface} from '../sim/mediamtx/standin-candidates.js'
import {settingFlags} from './flags.js'
import {MEDIAMTX_FILE_FLAG} from './mediamtx-flags.js'

/** `--interface eth0=192.168.1.58`: an interface MediaMTX would see (advertised, never used). */
const interfaceFlag = Flags.custom<StandinInterface>({
  helpValue: 'NAME=IP',
  parse: async (input) => {
    const match = /^([^=\s]+)=(\S+)$/.exec(input.trim())
    if (!match) {
      throw new R58Error(
        'E_USAGE',
        `--interface: expected NAME=IP such as eth0=192.168.1.58, got ${JSON.stringify(input)}`,
        {
          field: '--interface',
        },
      )
    }
    return {name: match[1] as string, address: match[2] as string}
  },
})

const portFlag = Flags.custom<number>({
  helpValue: 'PORT',
  parse: async (input, _ctx, flag) => {
    const port = Number(input)
    if (!/^\d+$/.test(input) || port > 65535) {
      throw new R58Error(
        'E_USAGE',
        `--${flag.name}: expected a port 0-65535 (0 = any free port), got ${JSON.stringify(input)}`,
      )
    }
    return port
  },
})

export const standinFlags = {
  ...settingFlags(['mediamtx.configPath'], {'mediamtx.configPath': MEDIAMTX_FILE_FLAG}),
  'mediamtx-version': Flags.string({summary: 'MediaMTX release to emulate', default: 'v1.20.1', helpValue: 'vX.Y.Z'}),
  'whip-port': portFlag({summary: 'WHIP port instead of webrtcAddress’s (0 = any free port)'}),
  'api-port': portFlag({
    summary: 'Control API port instead of apiAddress’s (0 = any free port); starts the API even with api: false',
  }),
  network: Flags.option({
    options: ['loopback', 'interfaces'] as const,
    default: 'loopback',
    summary:
      'loopback: media on 127.0.0.1 only; interfaces: listen, advertise and connect on every interface, as MediaMTX on a real box (for network namespaces)',
  })(),
  interface: interfaceFlag({
    multiple: true,
    summary:
      'An interface MediaMTX would see, advertised in answers but never used (repeatable) [default: lo=127.0.0.1]',
  }),
}
