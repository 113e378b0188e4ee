/**
 * `mediamtx configure` as the CLI asks for it: flags-shaped options are turned into operations, after the
 * two lookups some of them need (this host's Tailscale address, fresh Cloudflare TURN credentials).
 */
import {networkInterfaces} from 'node:os'
import {R58Error} from '../errors.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {fetchCloudflareIceServers, type GenerateOptions, type TurnCredentials} from '../turn/cloudflare-credentials.js'
import {type ConfigureOptions, type ConfigureResult, configureMediamtx} from './configure.js'
import {toMediamtxIceServers} from './ice-servers.js'
import type {Operation} from './operations.js'
import {findTailscaleAddress, type InterfacesFn, type TailscaleAddress, type TailscaleOptions} from './tailscale.js'

export interface ConfigureRequest extends Omit<ConfigureOptions, 'operations' | 'localAddresses'> {
  addHosts?: readonly string[]
  /** Add this host's Tailscale address. */
  tailscale?: boolean
  turnUrls?: readonly string[]
  turnUsername?: string | undefined
  turnPassword?: string | undefined
  /** Fetch TURN credentials from Cloudflare and add them. */
  cloudflareTurn?: Omit<GenerateOptions, 'signal'> | undefined
  clientOnly?: boolean
  removeIceServers?: readonly string[]
  tcpAddress?: string | undefined
  udpAddress?: string | undefined
  migrateDeprecated?: boolean
  addPaths?: readonly string[]
  /** Injected lookups (tests). */
  interfaces?: InterfacesFn
  tailscaleLookup?: Omit<TailscaleOptions, 'interfaces'>
  fetchCredentials?: (options: GenerateOptions) => Promise<TurnCredentials>
}

export interface ConfigureRunResult extends ConfigureResult {
  /** The Tailscale address found for --tailscale. */
  tailscale: TailscaleAddress | null
  /** The credentials minted for --cloudflare-turn (user name and expiry; the password is in `changes`). */
  turn: {username: string | null; expiresAt: string; urls: string[]} | null
}

const REQUEST_ONLY: readonly (keyof ConfigureRequest)[] = [
  'addHosts',
  'tailscale',
  'turnUrls',
  'turnUsername',
  'turnPassword',
  'cloudflareTurn',
  'clientOnly',
  'removeIceServers',
  'tcpAddress',
  'udpAddress',
  'migrateDeprecated',
  'addPaths',
  'interfaces',
  'tailscaleLookup',
  'fetchCredentials',
]

/** Resolves the lookups, builds the operations and runs `configureMediamtx`. */
export async function runConfigure(request: ConfigureRequest): Promise<ConfigureRunResult> {
  const interfaces = request.interfaces ?? networkInterfaces
  const operations: Operation[] = []
  if (request.migrateDeprecated) operations.push({op: 'migrate-deprecated'})
  if (request.udpAddress !== undefined) operations.push({op: 'udp-address', address: request.udpAddress})
  if (request.tcpAddress !== undefined) operations.push({op: 'tcp-address', address: request.tcpAddress})
  for (const host of request.addHosts ?? []) operations.push({op: 'add-host', host})
  let tailscale: TailscaleAddress | null = null
  if (request.tailscale) {
    tailscale = await findTailscaleAddress({...request.tailscaleLookup, interfaces})
    operations.push({op: 'add-host', host: tailscale.address, from: 'tailscale'})
  }
  const clientOnly = request.clientOnly ? true : undefined
  for (const url of request.turnUrls ?? []) {
    const ice = parseIceUrl(url, '--turn')
    if (ice.isTurn && (!request.turnUsername || !request.turnPassword)) {
      throw new R58Error('E_USAGE', `--turn ${url}: a TURN server needs --turn-username and --turn-credential-file`, {
        field: '--turn',
      })
    }
    operations.push({
      op: 'ice-server',
      server: {
        url,
        username: request.turnUsername ?? '',
        password: request.turnPassword ?? '',
        ...(clientOnly && {clientOnly}),
      },
    })
  }
  let turn: ConfigureRunResult['turn'] = null
  if (request.cloudflareTurn) {
    const fetch = request.fetchCredentials ?? fetchCloudflareIceServers
    const credentials = await fetch({...request.cloudflareTurn, ...(request.signal && {signal: request.signal})})
    const servers = toMediamtxIceServers(credentials.iceServers, clientOnly)
    for (const server of servers) operations.push({op: 'ice-server', server})
    turn = {username: credentials.username, expiresAt: credentials.expiresAt, urls: servers.map((s) => s.url)}
  }
  const addsIce = (request.turnUrls?.length ?? 0) > 0 || request.cloudflareTurn !== undefined
  if (request.clientOnly && !addsIce) operations.push({op: 'client-only'})
  for (const url of request.removeIceServers ?? []) operations.push({op: 'remove-ice-server', url})
  for (const name of request.addPaths ?? []) operations.push({op: 'add-path', name})
  if (operations.length === 0) {
    throw new R58Error('E_USAGE', 'Nothing to do: give at least one operation', {
      hint: 'e.g. --add-host IP, --tailscale, --turn URL, --cloudflare-turn, --client-only, --remove-ice-server URL, --tcp-address :8189, --udp-address :8189, --migrate-deprecated or --add-path NAME.',
    })
  }
  const localAddresses = Object.values(interfaces())
    .flatMap((infos) => infos ?? [])
    .map((info) => info.address)
  const options: Record<string, unknown> = {...request}
  for (const key of REQUEST_ONLY) delete options[key]
  const result = await configureMediamtx({
    ...(options as Omit<ConfigureOptions, 'operations'>),
    operations,
    localAddresses,
  })
  return {...result, tailscale, turn}
}

/** Every ICE-server password in a configure result (for redaction in output unless asked to show them). */
export function icePasswordsOf(result: Pick<ConfigureResult, 'changes'>): string[] {
  const out = new Set<string>()
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === 'string') {
          const parts = item.split(':')
          if (parts.length === 5 && parts[2]) out.add(parts[2])
        } else if (item && typeof item === 'object') {
          const password = (item as {password?: unknown}).password
          if (typeof password === 'string' && password !== '') out.add(password)
        }
      }
    }
  }
  for (const change of result.changes) {
    if (change.key !== 'webrtcICEServers2' && change.key !== 'webrtcICEServers') continue
    visit(change.before)
    visit(change.after)
  }
  return [...out]
}
