/** MediaMTX's own TURN configuration, as its API (or else its config file) shows it. */
import {R58Error} from '../errors.js'
import {MediamtxApi} from '../mediamtx/api-client.js'
import {readMediamtxConfig} from '../mediamtx/config-read.js'
import type {DiagnoseOptions} from './diagnose-types.js'

export interface MediamtxView {
  source: 'api' | 'file' | 'none'
  /** Non-clientOnly TURN servers MediaMTX allocates on itself (with the user name it allocates with). */
  serverTurn: {url: string; username: string | undefined}[]
  clientOnlyTurn: string[]
  detail: string
}

type IceServerEntry = {url: string; clientOnly: boolean; username?: string}

export async function readMediamtxView(
  options: DiagnoseOptions,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<MediamtxView> {
  const {apiUrl, apiUser, apiPassword, configPath} = options.mediamtx
  let servers: IceServerEntry[] | undefined
  let source: MediamtxView['source'] = 'none'
  let detail = ''
  if (apiUrl) {
    try {
      const config = await new MediamtxApi({
        baseUrl: apiUrl,
        user: apiUser,
        password: apiPassword,
        timeoutMs,
        signal,
      }).globalConfig()
      servers = fromApi(config)
      source = 'api'
    } catch (error) {
      detail = `API unavailable (${error instanceof R58Error ? error.text : String(error)})`
    }
  }
  if (!servers && configPath) {
    try {
      servers = await fromFile(configPath)
      source = 'file'
    } catch (error) {
      detail = `${detail ? `${detail}; ` : ''}config file unreadable (${error instanceof R58Error ? error.text : String(error)})`
    }
  }
  const turn = (servers ?? []).filter((s) => /^turns?:/i.test(s.url))
  return {
    source,
    serverTurn: turn.filter((s) => !s.clientOnly).map((s) => ({url: s.url, username: s.username})),
    clientOnlyTurn: turn.filter((s) => s.clientOnly).map((s) => s.url),
    detail,
  }
}

/** `webrtcICEServers2` of the API's global configuration (docs/mediamtx.md §3.2, §7). */
function fromApi(config: Record<string, unknown>): IceServerEntry[] {
  const list = Array.isArray(config['webrtcICEServers2'])
    ? (config['webrtcICEServers2'] as Record<string, unknown>[])
    : []
  return list.map((s) => ({
    url: String(s['url'] ?? ''),
    clientOnly: s['clientOnly'] === true,
    ...(typeof s['username'] === 'string' && s['username'] !== '' && {username: s['username']}),
  }))
}

async function fromFile(configPath: string): Promise<IceServerEntry[]> {
  const {readConfigSnapshot} = await import('../mediamtx/safe-write.js')
  const config = readMediamtxConfig((await readConfigSnapshot(configPath)).text, configPath)
  return config.webrtc.iceServers.map((s) => ({
    url: s.url,
    clientOnly: s.clientOnly,
    ...(s.username !== '' && {username: s.username}),
  }))
}
