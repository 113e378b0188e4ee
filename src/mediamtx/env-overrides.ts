/**
 * `MTX_*` environment variables (and the legacy `RTSP_*` prefix) override mediamtx.yml on every load, hot
 * reloads included: `MTX_WEBRTCADDITIONALHOSTS=1.2.3.4,host`, `MTX_WEBRTCICESERVERS2_0_URL=…`. A value set
 * that way wins over anything written to the file. `MTX_CONFKEY` means the file is encrypted.
 */
import {KEY_HISTORY} from './key-history.js'

export interface EnvOverride {
  variable: string
  /** The top-level key it overrides (`webrtcAdditionalHosts`), or `confKey` for MTX_CONFKEY. */
  key: string
}

const BY_UPPER = new Map(Object.keys(KEY_HISTORY).map((key) => [key.toUpperCase(), key]))

/** The variables of `env` that MediaMTX would apply over its config file, sorted by name. */
export function envOverrides(env: NodeJS.ProcessEnv): EnvOverride[] {
  const out: EnvOverride[] = []
  for (const variable of Object.keys(env).sort()) {
    const match = /^(MTX|RTSP)_([A-Z0-9]+)(?:_|$)/.exec(variable)
    if (!match || env[variable] === undefined) continue
    const head = match[2] as string
    if (head === 'CONFKEY') {
      out.push({variable, key: 'confKey'})
      continue
    }
    const key = BY_UPPER.get(head)
    if (key) out.push({variable, key})
  }
  return out
}
