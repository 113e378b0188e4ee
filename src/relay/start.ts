/**
 * `r58 relay start`: from settings to a running relay. The plan is what will run, printable (no secrets),
 * and what `--dry-run` checks; `serveRelay` runs it until cancelled, then shuts down gracefully.
 */
import {constants} from 'node:fs'
import {access} from 'node:fs/promises'
import {dirname} from 'node:path'
import {R58Error, systemErrorCode} from '../errors.js'
import {INPUT_LIMITS, inputFileReason, readInputFile} from '../fs/input-file.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {isLoopbackAddress} from '../net/address-class.js'
import {checkListen} from '../net/listen-check.js'
import {parseHostPort} from '../util/host-port.js'
import type {Log} from '../util/log.js'
import {TRUST_PROXY_MODES, type TrustProxy} from './client-address.js'
import {RELAY_MODES, type RequestedRelayMode} from './mode.js'
import {
  type AdminListen,
  DEFAULT_RELAY_TARGET,
  type RelayOptions,
  type RunningRelay,
  relaySecrets,
  requireAuthentication,
  startRelay,
} from './relay-server.js'
import type {SessionTimings} from './relay-session.js'
import type {ConflictPolicy} from './slots.js'
import {emptyTokenTable, parseTokensFile, type TokenTable, tokenCount} from './tokens.js'

export interface RelayPlanInput {
  listen: string
  calls: {appId: string; appSecret: string; apiBase?: string | undefined}
  /** MediaMTX's WHIP base URL; the target becomes `<url>/{path}/whip` unless `target` is given. */
  mediamtxUrl?: string | undefined
  /** Explicit WHIP URL template (wins over mediamtxUrl). */
  target?: string | undefined
  targetToken?: string | undefined
  /** One token for every path. */
  token?: string | undefined
  tokensFile?: string | undefined
  open?: boolean
  allowOrigins: readonly string[]
  maxSessions: number
  /** Operator listener: loopback `HOST:PORT`, or a Unix socket path (`/run/r58/relay-admin.sock`). */
  adminListen?: string | undefined
  /** `none`, `cloudflare` or `x-forwarded-for`. */
  trustProxy?: string | undefined
  publicMetrics?: boolean | undefined
  /** `refuse` or `takeover`. */
  onConflict?: string | undefined
  stunUrls: readonly string[]
  turnKey?: {keyId: string; token: string; apiBase?: string | undefined} | undefined
  timings?: Partial<SessionTimings>
  /** issue 14: `auto` (default), `whep` or `forward`, and what whep mode needs. */
  mode?: string | undefined
  /** The target is MediaMTX (no explicit WHIP template given). Default: `target` is unset. */
  targetIsMediamtx?: boolean
  mediamtxApi?: {url: string; user?: string | undefined; password?: string | undefined} | undefined
  whepListen?: string | undefined
  keepPaths?: boolean | undefined
  mediamtxPath?: string | undefined
}

/** What will run; printed by `--dry-run` and in the startup event. No secrets. */
export interface RelayPlan {
  listen: string
  target: string
  calls: {appId: string; apiBase: string}
  auth: {open: boolean; tokens: number; tokensFile: string | null}
  allowOrigins: string[]
  maxSessions: number
  /** The operator listener: `HOST:PORT` or a Unix socket path. */
  adminListen: string
  trustProxy: TrustProxy
  publicMetrics: boolean
  onConflict: ConflictPolicy
  stunUrls: string[]
  guestTurn: boolean
  /** issue 14: the mode asked for; the one in use is logged at start (`relay.mode`). */
  mode: RequestedRelayMode
}

export interface ResolvedRelayPlan {
  plan: RelayPlan
  options: Omit<RelayOptions, 'log'>
  /** Every secret the relay will hold (tokens from every source too), for the caller's redaction. */
  secrets: string[]
}

export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:8891'

/** `--admin-listen`: a loopback HOST:PORT, or an absolute Unix socket path (optionally `unix:`-prefixed). */
export function parseAdminListen(text: string): AdminListen {
  const socketPath = text.startsWith('unix:') ? text.slice('unix:'.length) : text
  if (socketPath.startsWith('/')) return {socketPath}
  const hostPort = parseHostPort(text, {allowAnyPort: true})
  if (!hostPort) {
    throw new R58Error('E_USAGE', `--admin-listen: expected HOST:PORT or a socket path, got ${JSON.stringify(text)}`, {
      field: '--admin-listen',
      hint: 'e.g. --admin-listen 127.0.0.1:8891 or --admin-listen /run/r58/relay-admin.sock',
    })
  }
  const host = hostPort.host || '127.0.0.1'
  if (!isLoopbackAddress(host)) {
    throw new R58Error('E_USAGE', `--admin-listen ${text}: the operator listener must stay on loopback`, {
      field: '--admin-listen',
      hint: 'It answers status and pull without a token: use 127.0.0.1:<port> or a Unix socket path.',
    })
  }
  return {host, port: hostPort.port}
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new R58Error('E_USAGE', `${flag}: expected ${allowed.join(', ')}, got ${JSON.stringify(value)}`, {field: flag})
}

async function loadTokens(input: RelayPlanInput): Promise<TokenTable> {
  let table = emptyTokenTable()
  if (input.tokensFile !== undefined) {
    let text: string
    try {
      text = (await readInputFile(input.tokensFile, INPUT_LIMITS.config)).toString('utf8')
    } catch (error) {
      throw new R58Error(
        'E_CONFIG',
        `--relay-tokens-file: cannot read ${input.tokensFile} (${inputFileReason(error)})`,
        {
          field: 'relay.tokensFile',
        },
      )
    }
    table = parseTokensFile(text, input.tokensFile)
  }
  if (input.token !== undefined) {
    if (input.token.length < 16) {
      throw new R58Error('E_CONFIG', 'The relay token is shorter than 16 characters', {
        field: 'relay.token',
        hint: 'Use a long random token, e.g. `openssl rand -hex 24`.',
      })
    }
    table.global.push(input.token)
  }
  return table
}

export async function planRelay(input: RelayPlanInput): Promise<ResolvedRelayPlan> {
  const listen = parseHostPort(input.listen, {allowAnyPort: true})
  if (!listen)
    throw new R58Error('E_USAGE', `--relay-listen: expected HOST:PORT, got ${JSON.stringify(input.listen)}`, {
      field: '--relay-listen',
    })
  const target =
    input.target ?? (input.mediamtxUrl ? `${input.mediamtxUrl.replace(/\/+$/, '')}/{path}/whip` : DEFAULT_RELAY_TARGET)
  if (!target.includes('{path}')) {
    throw new R58Error('E_USAGE', `--relay-target: the template must contain {path}, got ${JSON.stringify(target)}`, {
      field: '--relay-target',
      hint: 'e.g. http://127.0.0.1:8889/{path}/whip (MediaMTX) or http://127.0.0.1:7080/whip/endpoint/{path} (Janus).',
    })
  }
  for (const url of input.stunUrls) parseIceUrl(url, '--stun-urls')
  const adminListen = input.adminListen ?? DEFAULT_ADMIN_LISTEN
  const admin = parseAdminListen(adminListen)
  const trustProxy = oneOf(input.trustProxy, TRUST_PROXY_MODES, 'none', '--trust-proxy')
  const onConflict = oneOf<ConflictPolicy>(input.onConflict, ['refuse', 'takeover'], 'refuse', '--on-conflict')
  const mode = (input.mode ?? 'auto') as RequestedRelayMode
  if (!RELAY_MODES.includes(mode)) {
    throw new R58Error('E_USAGE', `--mode: expected auto, whep or forward, got ${JSON.stringify(input.mode)}`, {
      field: '--mode',
    })
  }
  const whepListen = parseHostPort(input.whepListen ?? '127.0.0.1:0', {allowAnyPort: true})
  if (!whepListen) {
    throw new R58Error('E_USAGE', `--whep-listen: expected HOST:PORT, got ${JSON.stringify(input.whepListen)}`, {
      field: '--whep-listen',
    })
  }
  if (input.mediamtxPath !== undefined && !input.mediamtxPath.includes('{path}')) {
    throw new R58Error(
      'E_USAGE',
      `--mediamtx-path: the template must contain {path}, got ${JSON.stringify(input.mediamtxPath)}`,
      {
        field: '--mediamtx-path',
        hint: 'e.g. guests/{path}',
      },
    )
  }
  const tokens = await loadTokens(input)
  const apiBase = input.calls.apiBase ?? 'https://rtc.live.cloudflare.com/v1'
  const plan: RelayPlan = {
    listen: input.listen,
    target,
    calls: {appId: input.calls.appId, apiBase},
    auth: {open: input.open === true, tokens: tokenCount(tokens), tokensFile: input.tokensFile ?? null},
    allowOrigins: [...input.allowOrigins],
    maxSessions: input.maxSessions,
    adminListen,
    trustProxy,
    publicMetrics: input.publicMetrics === true,
    onConflict,
    stunUrls: [...input.stunUrls],
    guestTurn: input.turnKey !== undefined,
    mode,
  }
  requireAuthentication(tokens, input.open, listen.host || '127.0.0.1')
  return {
    plan,
    secrets: relaySecrets({tokens, calls: input.calls, targetToken: input.targetToken, turnKey: input.turnKey}),
    options: {
      host: listen.host || '127.0.0.1',
      port: listen.port,
      calls: input.calls,
      target,
      targetToken: input.targetToken,
      tokens,
      open: input.open === true,
      allowOrigins: input.allowOrigins,
      maxSessions: input.maxSessions,
      admin,
      trustProxy,
      publicMetrics: input.publicMetrics === true,
      onConflict,
      stunUrls: input.stunUrls,
      turnKey: input.turnKey,
      ...(input.timings && {timings: input.timings}),
      whep: {
        mode,
        targetIsMediamtx: input.targetIsMediamtx ?? input.target === undefined,
        mediamtxApi: input.mediamtxApi,
        whepListen: {host: whepListen.host || '127.0.0.1', port: whepListen.port},
        ...(input.keepPaths !== undefined && {keepPaths: input.keepPaths}),
        ...(input.mediamtxPath !== undefined && {pathTemplate: input.mediamtxPath}),
      },
    },
  }
}

/** `--dry-run`: the plan, with the listen addresses proven usable. */
export async function checkRelayPlan(resolved: ResolvedRelayPlan): Promise<RelayPlan> {
  const admin = resolved.options.admin
  return {
    ...resolved.plan,
    listen: await checkListen(resolved.options.host, resolved.options.port),
    adminListen:
      admin && 'host' in admin
        ? await checkListen(admin.host, admin.port, '--admin-listen')
        : await checkSocketDirectory(resolved.plan.adminListen),
  }
}

/** A Unix socket path for --admin-listen: its directory must exist and be writable by this user. */
async function checkSocketDirectory(socketPath: string): Promise<string> {
  const path = socketPath.replace(/^unix:/, '')
  try {
    await access(dirname(path), constants.W_OK)
  } catch (error) {
    throw new R58Error(
      'E_CONFIG',
      `--admin-listen ${path}: cannot create the socket (${systemErrorCode(error) ?? String(error)})`,
      {
        field: '--admin-listen',
        hint: `Create ${dirname(path)} for this user (systemd: RuntimeDirectory=r58), or use 127.0.0.1:<port>.`,
      },
    )
  }
  return path
}

/** Runs the relay until `signal` fires, then ends every session and closes. */
export async function serveRelay(resolved: ResolvedRelayPlan, log: Log, signal: AbortSignal): Promise<void> {
  const relay: RunningRelay = await startRelay({...resolved.options, log})
  log({
    level: 'info',
    event: 'relay.started',
    msg: `relay listening on ${relay.url} (operator: ${relay.adminUrl}), ${relay.mode.mode === 'whep' ? 'MediaMTX pulls guests from Calls (whep mode)' : `publishing into ${resolved.plan.target}`}`,
    url: relay.url,
    adminUrl: relay.adminUrl,
    plan: resolved.plan,
    mode: relay.mode.mode,
    join: `${relay.url}/join/<path>?token=<token>`,
  })
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), {once: true})
  })
  const sessions = relay.engine.list().length
  await relay.close()
  log({level: 'info', event: 'relay.stopped', msg: `relay stopped; ${sessions} session(s) closed`, sessions})
}
