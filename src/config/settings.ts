/**
 * The settings registry: every value r58 reads from flags, R58_* environment variables or the config file.
 *
 * One table drives everything: flag names (`calls.appId` → `--calls-app-id`), environment names
 * (`R58_CALLS_APP_ID`), config-file keys (`calls: {appId: …}`), the `config init` template, `config show`,
 * and redaction of secrets. Secrets also accept `…File` forms (`--calls-app-secret-file`,
 * `R58_CALLS_APP_SECRET_FILE`, `calls.appSecretFile`).
 */

export type SettingKind = 'string' | 'url' | 'list' | 'int' | 'duration' | 'hostport' | 'boolean'

export interface SettingDef {
  kind: SettingKind
  summary: string
  /** Secrets are never printed; on argv they work but draw a warning. */
  secret?: boolean
  default?: string | number | boolean | readonly string[]
  /** Example shown (commented out) in the config template. */
  example?: string
  /** Allowed URL schemes for `url` settings. Default http and https. */
  protocols?: readonly string[]
  /**
   * The one flag name of this setting in every command, when the derived one (`--mediamtx-config-path`) is not
   * what people type. Commands never rename a setting; old names live on as deprecated aliases (src/cli/*-flags.ts).
   */
  flag?: {name: string; char?: string}
}

const CLOUDFLARE_API = 'https://rtc.live.cloudflare.com/v1'

export const SETTINGS = {
  'mediamtx.url': {
    kind: 'url',
    summary: 'MediaMTX WebRTC server (WHIP) base URL, as reachable from this machine',
    default: 'http://127.0.0.1:8889',
  },
  'mediamtx.apiUrl': {
    kind: 'url',
    summary: 'MediaMTX control API base URL',
    default: 'http://127.0.0.1:9997',
  },
  'mediamtx.apiUser': {
    kind: 'string',
    summary: 'MediaMTX control API user (authInternalUsers, permission "api")',
    example: 'r58',
  },
  'mediamtx.apiPassword': {
    kind: 'string',
    secret: true,
    summary: 'MediaMTX control API password',
  },
  'mediamtx.token': {
    kind: 'string',
    secret: true,
    summary: 'Bearer token for publishing into MediaMTX with WHIP ("user:pass" or a JWT)',
  },
  'mediamtx.configPath': {
    kind: 'string',
    summary: 'Path of mediamtx.yml',
    example: '/etc/mediamtx/mediamtx.yml',
    flag: {name: 'file', char: 'f'},
  },
  'calls.appId': {
    kind: 'string',
    summary: 'Cloudflare Calls (Realtime SFU) app id',
    example: '0123456789abcdef0123456789abcdef',
  },
  'calls.appSecret': {
    kind: 'string',
    secret: true,
    summary: 'Cloudflare Calls app secret (bearer token of the SFU API)',
  },
  'calls.apiBase': {
    kind: 'url',
    summary: 'Cloudflare Calls API base URL (point it at `r58 calls emulate` to work offline)',
    default: CLOUDFLARE_API,
  },
  'turn.keyId': {
    kind: 'string',
    summary: 'Cloudflare TURN key id',
    example: '0123456789abcdef0123456789abcdef',
  },
  'turn.keyToken': {
    kind: 'string',
    secret: true,
    summary: 'Cloudflare TURN key API token',
  },
  'turn.apiBase': {
    kind: 'url',
    summary: 'Cloudflare TURN credentials API base URL',
    default: CLOUDFLARE_API,
  },
  'turn.urls': {
    kind: 'list',
    summary: 'TURN server URLs (turn:host:port?transport=udp|tcp, turns:host:port)',
    example: 'turn:turn.example.net:3478?transport=udp',
  },
  'turn.username': {
    kind: 'string',
    summary: 'TURN long-term credential user name',
  },
  'turn.credential': {
    kind: 'string',
    secret: true,
    summary: 'TURN long-term credential password',
  },
  'stun.urls': {
    kind: 'list',
    summary: 'STUN server URLs (stun:host:port)',
    default: ['stun:stun.cloudflare.com:3478'],
  },
  'relay.listen': {
    kind: 'hostport',
    summary: 'Address the relay listens on (guests reach it through the tunnel)',
    default: '127.0.0.1:8890',
  },
  'relay.url': {
    kind: 'url',
    summary: 'Guest-facing base URL of a running relay, for `diagnose`',
    default: 'http://127.0.0.1:8890',
  },
  'relay.token': {
    kind: 'string',
    secret: true,
    summary: 'Bearer token for the relay ingress (all paths); see also relay.tokensFile',
  },
  'relay.tokensFile': {
    kind: 'string',
    summary: 'File of per-path relay tokens, one "<path> <token>" per line ("*" for every path)',
    example: '/etc/r58/relay-tokens',
  },
  'relay.target': {
    kind: 'string',
    summary: 'WHIP URL template the relay publishes to; {path} is the guest path',
    default: 'http://127.0.0.1:8889/{path}/whip',
  },
  'relay.allowOrigins': {
    kind: 'list',
    summary: 'Origins allowed to call the relay from a browser (CORS); * for any',
    default: ['*'],
  },
  'relay.maxSessions': {
    kind: 'int',
    summary: 'Most guest sessions at once; more get 503 with Retry-After',
    default: 10,
  },
  'relay.adminListen': {
    flag: {name: 'admin-listen'},
    kind: 'string',
    summary: 'Operator listener (status, pull, health, metrics): loopback HOST:PORT or a Unix socket path',
    default: '127.0.0.1:8891',
  },
  'relay.adminUrl': {
    kind: 'url',
    summary: 'Operator URL of a running relay, for `relay status` and `relay pull` (unix:/path for a socket)',
    default: 'http://127.0.0.1:8891',
    protocols: ['http', 'https', 'unix'],
  },
  'relay.trustProxy': {
    flag: {name: 'trust-proxy'},
    kind: 'string',
    summary: 'Believe the guest address a local proxy sends: none, cloudflare (CF-Connecting-IP) or x-forwarded-for',
    default: 'none',
  },
  'relay.publicMetrics': {
    flag: {name: 'public-metrics'},
    kind: 'boolean',
    summary: 'Also serve /healthz and /metrics (no session ids or tokens) on the guest listener',
    default: false,
  },
  'relay.onConflict': {
    flag: {name: 'on-conflict'},
    kind: 'string',
    summary: 'A second publisher on a busy path: refuse (409) or takeover (end the first cleanly)',
    default: 'refuse',
  },
  'relay.mode': {
    flag: {name: 'mode'},
    kind: 'string',
    summary: 'How guests reach MediaMTX: whep (MediaMTX pulls from Calls), forward (through the relay), or auto',
    default: 'auto',
  },
  'relay.whepListen': {
    flag: {name: 'whep-listen'},
    kind: 'hostport',
    summary: 'Address of the WHEP façade MediaMTX pulls guests from in whep mode (port 0: any free port)',
    default: '127.0.0.1:0',
  },
  'relay.keepPaths': {
    flag: {name: 'keep-paths'},
    kind: 'boolean',
    summary: 'whep mode: keep a MediaMTX path when its guest leaves (it shows as not ready)',
    default: false,
  },
  'relay.mediamtxPath': {
    flag: {name: 'mediamtx-path'},
    kind: 'string',
    summary: 'whep mode: MediaMTX path name for a guest; {path} is the guest path',
    default: '{path}',
  },
  'probe.path': {
    kind: 'string',
    summary: 'MediaMTX path used by probes; never a live one',
    flag: {name: 'path'},
    default: 'r58-probe',
  },
} as const satisfies Record<string, SettingDef>

export type SettingKey = keyof typeof SETTINGS

export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['kind'] extends 'list'
  ? string[]
  : (typeof SETTINGS)[K]['kind'] extends 'int' | 'duration'
    ? number
    : (typeof SETTINGS)[K]['kind'] extends 'boolean'
      ? boolean
      : string

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[]

/** `calls.appId` → `calls-app-id` (or the registry's own `flag` name). */
export function flagNameOf(key: SettingKey): string {
  const def: SettingDef = SETTINGS[key]
  if (def.flag) return def.flag.name
  return key.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** `calls.appId` → `R58_CALLS_APP_ID` */
export function envNameOf(key: SettingKey): string {
  return `R58_${key
    .replace(/\./g, '_')
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase()}`
}

/** The config-file path segments: `calls.appId` → `['calls', 'appId']`. */
export function filePathOf(key: SettingKey): [string, string] {
  const [section, name] = key.split('.') as [string, string]
  return [section, name]
}
