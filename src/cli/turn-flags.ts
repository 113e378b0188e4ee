/** Flags shared by the Cloudflare TURN commands (`turn credentials`, `turn revoke`, `--cloudflare-turn`). */
import {Flags} from '@oclif/core'
import type {SettingKey} from '../config/settings.js'
import {R58Error} from '../errors.js'
import {parseDuration} from '../util/duration.js'
import type {SettingFlagOptions} from './flags.js'

/** The TURN commands' first names of the key settings: `--key-id`, `--token-file`, `--api-base`. */
export const turnKeyFlagNames: Partial<Record<SettingKey, SettingFlagOptions>> = {
  'turn.keyId': {aliases: ['key-id']},
  'turn.keyToken': {aliases: ['token']},
  'turn.apiBase': {aliases: ['api-base']},
}

/** `--ttl 86400` (seconds) or `--ttl 12h`; returns whole seconds. */
export const ttlFlag = Flags.custom<number>({
  helpValue: 'SECONDS|DURATION',
  parse: async (input, _ctx, flag) => {
    const seconds = /^\d+$/.test(input.trim()) ? Number(input) : (parseDuration(input) ?? Number.NaN) / 1000
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new R58Error(
        'E_USAGE',
        `--${flag.name}: expected whole seconds or a duration such as 12h, got ${JSON.stringify(input)}`,
      )
    }
    return seconds
  },
})
