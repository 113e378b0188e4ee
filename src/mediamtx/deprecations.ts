/**
 * Deprecated MediaMTX keys and their replacements. MediaMTX still accepts each old key through a shim that
 * copies its value onto the new key on every load (the old key wins when it is set); `webrtcICEInterfaces`
 * is the exception, dropped without a shim in v1.3.0. The release of each replacement comes from the key
 * history (key-rules.ts), so migration is offered only where the running version knows the new key.
 */
import {keyRemovedIn, keySince} from './key-rules.js'
import {formatVersion, type Version} from './version.js'

/** How the old value becomes the new one. */
export type Transform =
  /** Same value under a new name. */
  | 'rename'
  /** `xDisable: no` → `x: yes`. */
  | 'invert'
  /** `xAllowOrigin: '*'` → `xAllowOrigins: ['*']`. */
  | 'wrap-list'
  /** `webrtcICEServers: [turn:user:pass:host:port]` → `webrtcICEServers2: [{url, username, password}]`. */
  | 'legacy-ice-servers'

export interface Deprecation {
  key: string
  replacement: string
  transform: Transform
  /** The value MediaMTX uses for the replacement when the old key is empty (null). */
  whenNull?: unknown
  /** What the migration changes in behaviour, if anything. */
  note?: string
}

export const DEPRECATIONS: readonly Deprecation[] = [
  {key: 'webrtcDisable', replacement: 'webrtc', transform: 'invert', whenNull: true},
  {key: 'rtspDisable', replacement: 'rtsp', transform: 'invert', whenNull: true},
  {key: 'rtmpDisable', replacement: 'rtmp', transform: 'invert', whenNull: true},
  {key: 'hlsDisable', replacement: 'hls', transform: 'invert', whenNull: true},
  {key: 'webrtcICEServers', replacement: 'webrtcICEServers2', transform: 'legacy-ice-servers', whenNull: []},
  {
    key: 'webrtcICEHostNAT1To1IPs',
    replacement: 'webrtcAdditionalHosts',
    transform: 'rename',
    whenNull: [],
    note: 'webrtcAdditionalHosts adds candidates, where webrtcICEHostNAT1To1IPs replaced the interface addresses',
  },
  {key: 'webrtcICEUDPMuxAddress', replacement: 'webrtcLocalUDPAddress', transform: 'rename', whenNull: ':8189'},
  {
    key: 'webrtcICETCPMuxAddress',
    replacement: 'webrtcLocalTCPAddress',
    transform: 'rename',
    whenNull: '',
    note: 'webrtcLocalTCPAddress adds TCP candidates, where webrtcICETCPMuxAddress forced TCP only',
  },
  {
    key: 'webrtcICEInterfaces',
    replacement: 'webrtcIPsFromInterfacesList',
    transform: 'rename',
    whenNull: [],
  },
  {key: 'webrtcAllowOrigin', replacement: 'webrtcAllowOrigins', transform: 'wrap-list', whenNull: ['*']},
  {key: 'apiAllowOrigin', replacement: 'apiAllowOrigins', transform: 'wrap-list', whenNull: ['*']},
  {key: 'metricsAllowOrigin', replacement: 'metricsAllowOrigins', transform: 'wrap-list', whenNull: ['*']},
  {key: 'pprofAllowOrigin', replacement: 'pprofAllowOrigins', transform: 'wrap-list', whenNull: ['*']},
  {key: 'playbackAllowOrigin', replacement: 'playbackAllowOrigins', transform: 'wrap-list', whenNull: ['*']},
  {key: 'hlsAllowOrigin', replacement: 'hlsAllowOrigins', transform: 'wrap-list', whenNull: ['*']},
  {key: 'protocols', replacement: 'rtspTransports', transform: 'rename'},
  {key: 'encryption', replacement: 'rtspEncryption', transform: 'rename'},
  {key: 'authMethods', replacement: 'rtspAuthMethods', transform: 'rename'},
  {key: 'serverKey', replacement: 'rtspServerKey', transform: 'rename'},
  {key: 'serverCert', replacement: 'rtspServerCert', transform: 'rename'},
  {key: 'readBufferCount', replacement: 'writeQueueSize', transform: 'rename'},
  {key: 'moqHTTPS2Address', replacement: 'moqHTTP2Address', transform: 'rename'},
  {key: 'moqHTTPS3Address', replacement: 'moqHTTP3Address', transform: 'rename'},
]

const BY_KEY = new Map(DEPRECATIONS.map((d) => [d.key, d]))

export function deprecationOf(key: string): Deprecation | undefined {
  return BY_KEY.get(key)
}

/** The release that introduced the replacement of a deprecated key. */
export function replacementSince(deprecation: Deprecation): Version | undefined {
  return keySince(deprecation.replacement)
}

export interface DeprecatedKey extends Deprecation {
  /** `v1.3.0` */
  since: string | null
  /** True when MediaMTX rejects the old key (no shim) from `removedIn` on. */
  removedIn: string | null
}

/** The deprecated keys among `keys`, with their replacements. */
export function deprecatedKeysIn(keys: readonly string[]): DeprecatedKey[] {
  return keys.flatMap((key) => {
    const deprecation = BY_KEY.get(key)
    if (!deprecation) return []
    const since = replacementSince(deprecation)
    const removed = keyRemovedIn(key)
    return [
      {
        ...deprecation,
        since: since ? formatVersion(since) : null,
        removedIn: removed ? formatVersion(removed) : null,
      },
    ]
  })
}
