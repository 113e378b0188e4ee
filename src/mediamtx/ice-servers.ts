/**
 * MediaMTX's `webrtcICEServers2` entries (v0.23.7+): one `{url, username, password[, clientOnly]}` per URL,
 * unlike the browser's `{urls: [...], username, credential}`.
 */
import type {IceServer} from '../ice/ice-url.js'

export interface MediamtxIceServer {
  url: string
  username: string
  password: string
  /** v1.7.0+: hand the server to clients only; MediaMTX itself does not allocate on it. */
  clientOnly?: boolean
}

export function toMediamtxIceServers(servers: readonly IceServer[], clientOnly?: boolean): MediamtxIceServer[] {
  return servers.flatMap((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).map((url) => ({
      url,
      username: server.username ?? '',
      password: server.credential ?? '',
      ...(clientOnly !== undefined && {clientOnly}),
    })),
  )
}
