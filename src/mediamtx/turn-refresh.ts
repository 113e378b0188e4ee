/**
 * `r58 mediamtx turn-refresh`: keeps short-lived Cloudflare TURN credentials in MediaMTX fresh, in the file
 * (through the same locked, validated, atomic write as `configure`) or in the running server (PATCH).
 * Because changing `webrtcICEServers2` restarts MediaMTX's WebRTC server and drops its sessions, a refresh
 * waits while sessions are active, unless the current credentials expire within the margin. The expiry is
 * read from a REST user name (`<unix expiry>:user`) when there is one, else from a small state file.
 */
import {mkdir, readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {R58Error, systemErrorCode} from '../errors.js'
import {writeFileAtomic} from '../fs/atomic-write.js'
import {fetchCloudflareIceServers, type GenerateOptions, type TurnCredentials} from '../turn/cloudflare-credentials.js'
import {sleep} from '../util/abort.js'
import type {Log} from '../util/log.js'
import {MediamtxApi, type MediamtxApiOptions} from './api-client.js'
import {parseConfigDoc} from './config-doc.js'
import {type ConfigureResult, configureMediamtx, type VersionInfo} from './configure.js'
import type {FileLockOptions} from './file-lock.js'
import {toMediamtxIceServers} from './ice-servers.js'
import type {Operation} from './operations.js'
import {readConfigSnapshot} from './safe-write.js'

export interface TurnRefreshOptions {
  /** mediamtx.yml to keep fresh (else the live server through `api`). */
  file?: string | undefined
  /** The control API: the target without `file`; with `file`, used to count sessions when given. */
  api?: MediamtxApiOptions | undefined
  /** `--mediamtx-version`. */
  version?: string | undefined
  /** Cloudflare TURN key and credential lifetime. */
  turn: Omit<GenerateOptions, 'signal'>
  /** Mark the TURN entries clientOnly (MediaMTX v1.7.0+). */
  clientOnly?: boolean
  /** Refresh even while sessions are active when the credentials expire within this. Default: half the TTL. */
  marginMs?: number
  /** Refresh even while sessions are active. */
  force?: boolean
  /** Where to remember the expiry. Default: next to the file, or under $XDG_STATE_HOME/r58 for the API. */
  stateFile?: string
  /** Keep a timestamped backup of the file on each refresh. Default false (only credentials change). */
  backup?: boolean
  lock?: FileLockOptions
  now?: () => number
  signal?: AbortSignal
  /** Injected for tests. */
  fetchCredentials?: (options: GenerateOptions) => Promise<TurnCredentials>
  env?: NodeJS.ProcessEnv
}

export interface TurnRefreshResult {
  action: 'refreshed' | 'deferred'
  reason: string
  target: 'file' | 'api'
  path: string | null
  api: string | null
  version: VersionInfo | null
  /** Active WebRTC sessions, or null when no API was asked. */
  sessions: number | null
  previousExpiresAt: string | null
  expiresAt: string | null
  /** TURN user name of the new credentials. */
  username: string | null
  urls: string[]
  /** URLs from an earlier refresh that the TURN API no longer returns, removed. */
  removedUrls: string[]
  written: boolean
  applied: boolean
  backupPath: string | null
  stateFile: string | null
  notes: string[]
}

interface RefreshState {
  version: 1
  expiresAt: string
  username: string | null
  urls: string[]
  refreshedAt: string
}

export function defaultStateFile(options: Pick<TurnRefreshOptions, 'file' | 'api' | 'env'>): string {
  if (options.file) return join(dirname(options.file), `.${basename(options.file)}.r58-turn.json`)
  const env = options.env ?? process.env
  const base = env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state')
  const url = new URL(options.api?.baseUrl ?? 'http://127.0.0.1:9997')
  return join(base, 'r58', `turn-refresh-${url.hostname}-${url.port || '80'}.json`)
}

async function readState(path: string): Promise<RefreshState | null> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as Partial<RefreshState>
    if (state.version === 1 && typeof state.expiresAt === 'string' && Array.isArray(state.urls)) {
      return state as RefreshState
    }
    return null
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT' || error instanceof SyntaxError) return null
    throw error
  }
}

/** The earliest `<unix expiry>:…` user name among TURN entries, in ms. */
function expiryFromUsernames(servers: unknown): number | null {
  if (!Array.isArray(servers)) return null
  let earliest: number | null = null
  for (const server of servers) {
    const username = (server as {username?: unknown})?.username
    const url = (server as {url?: unknown})?.url
    if (typeof username !== 'string' || typeof url !== 'string' || !/^turns?:/.test(url)) continue
    const match = /^(\d{9,11}):/.exec(username)
    if (match) earliest = Math.min(earliest ?? Number.POSITIVE_INFINITY, Number(match[1]) * 1000)
  }
  return earliest
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function hours(ms: number): string {
  const h = ms / 3_600_000
  return h >= 1 ? `${Math.round(h * 10) / 10} h` : `${Math.round(ms / 60_000)} min`
}

/** The ICE servers configured now: the file's, or the running server's. */
async function currentIceServers(options: TurnRefreshOptions, api: MediamtxApi | undefined): Promise<unknown> {
  if (options.file) {
    const snapshot = await readConfigSnapshot(options.file)
    return parseConfigDoc(snapshot.text, options.file).value('webrtcICEServers2')
  }
  return (await (api as MediamtxApi).globalConfig())['webrtcICEServers2']
}

/** What both a refresh and a deferral report. */
type RefreshBase = Pick<TurnRefreshResult, 'target' | 'path' | 'api' | 'sessions' | 'previousExpiresAt' | 'stateFile'>

/** Why to wait with active sessions (a refresh drops them), or undefined to refresh now. */
function deferralReason(sessions: number, previous: number | null, now: number, marginMs: number): string | undefined {
  const left = previous === null ? null : previous - now
  if (left === null) {
    return `${sessions} WebRTC session${sessions === 1 ? '' : 's'} active and the current credentials' expiry is unknown; a refresh would drop them (--force to refresh anyway)`
  }
  if (left > marginMs) {
    return `${sessions} WebRTC session${sessions === 1 ? '' : 's'} active; the credentials stay valid ${hours(left)} more (until ${iso(previous)}), beyond the ${hours(marginMs)} margin`
  }
  return undefined
}

function deferred(base: RefreshBase, reason: string, previous: number | null, notes: string[]): TurnRefreshResult {
  return {
    ...base,
    action: 'deferred',
    reason,
    version: null,
    expiresAt: iso(previous),
    username: null,
    urls: [],
    removedUrls: [],
    written: false,
    applied: false,
    backupPath: null,
    notes,
  }
}

/** Records the new expiry for the next run; returns the state file, or null (with a note) when it cannot. */
async function writeState(stateFile: string, state: RefreshState, notes: string[]): Promise<string | null> {
  try {
    await mkdir(dirname(stateFile), {recursive: true})
    await writeFileAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600})
    return stateFile
  } catch (error) {
    notes.push(
      `Could not record the expiry in ${stateFile}: ${error instanceof Error ? error.message : String(error)}.`,
    )
    return null
  }
}

/** One refresh (or deferral). */
export async function refreshTurn(options: TurnRefreshOptions): Promise<TurnRefreshResult> {
  if (!options.file && !options.api) {
    throw new R58Error('E_USAGE', 'Give the mediamtx.yml with --file, or the live server with --api', {field: '--file'})
  }
  const now = options.now ?? Date.now
  const ttlSeconds = options.turn.ttlSeconds ?? 86400
  const marginMs = options.marginMs ?? (ttlSeconds * 1000) / 2
  const stateFile = options.stateFile ?? defaultStateFile(options)
  const api = options.api
    ? new MediamtxApi({...options.api, ...(options.signal && {signal: options.signal})})
    : undefined
  const notes: string[] = []

  const current = await currentIceServers(options, api)
  const state = await readState(stateFile).catch(() => null)
  const stateExpiry = state ? Date.parse(state.expiresAt) : Number.NaN
  const previous = expiryFromUsernames(current) ?? (Number.isNaN(stateExpiry) ? null : stateExpiry)
  const sessions = api ? (await api.webrtcSessions()).length : null
  const base: RefreshBase = {
    target: options.file ? 'file' : 'api',
    path: options.file ?? null,
    api: options.api?.baseUrl.replace(/\/+$/, '') ?? null,
    sessions,
    previousExpiresAt: iso(previous),
    stateFile,
  }
  if (sessions !== null && sessions > 0 && !options.force) {
    const reason = deferralReason(sessions, previous, now(), marginMs)
    if (reason) return deferred(base, reason, previous, notes)
    notes.push(`Refreshing despite ${sessions} active session(s): the credentials expire at ${iso(previous)}.`)
  }

  const refreshed = await installFreshCredentials(options, base.target, ttlSeconds, state, notes)
  const stateWritten = await writeState(
    stateFile,
    {...refreshed.state, refreshedAt: new Date(now()).toISOString()},
    notes,
  )
  return {
    ...base,
    stateFile: stateWritten,
    action: 'refreshed',
    reason:
      sessions !== null && sessions > 0
        ? `credentials expire within the ${hours(marginMs)} margin`
        : sessions === 0
          ? 'no WebRTC session active'
          : 'refreshed (no API to count sessions)',
    version: refreshed.result.version,
    expiresAt: iso(Date.parse(refreshed.state.expiresAt)),
    username: refreshed.state.username,
    urls: refreshed.state.urls,
    removedUrls: refreshed.removedUrls,
    written: refreshed.result.written,
    applied: refreshed.result.applied !== null,
    backupPath: refreshed.result.backupPath,
    notes,
  }
}

/**
 * Fetches new credentials and configures them (file: written; API: applied), removing the URLs of an earlier
 * refresh that the TURN API no longer returns. Adds configure's notes and warnings to `notes`.
 */
async function installFreshCredentials(
  options: TurnRefreshOptions,
  target: 'file' | 'api',
  ttlSeconds: number,
  previous: RefreshState | null,
  notes: string[],
): Promise<{result: ConfigureResult; state: Omit<RefreshState, 'refreshedAt'>; removedUrls: string[]}> {
  const fetch = options.fetchCredentials ?? fetchCloudflareIceServers
  const credentials = await fetch({...options.turn, ttlSeconds, ...(options.signal && {signal: options.signal})})
  const servers = toMediamtxIceServers(credentials.iceServers, options.clientOnly ? true : undefined)
  const urls = servers.map((s) => s.url)
  const removedUrls = (previous?.urls ?? []).filter((url) => !urls.includes(url))
  const operations: Operation[] = [
    ...servers.map((server) => ({op: 'ice-server' as const, server})),
    ...removedUrls.map((url) => ({op: 'remove-ice-server' as const, url})),
  ]
  const result = await configureMediamtx({
    file: options.file,
    api: options.api,
    version: options.version,
    operations,
    write: target === 'file',
    apply: target === 'api',
    force: true,
    backup: options.backup ?? false,
    ...(options.lock && {lock: options.lock}),
    ...(options.env && {env: options.env}),
    ...(options.signal && {signal: options.signal}),
  })
  notes.push(...result.notes, ...result.warnings.map((w) => `Warning: ${w.message} Fix: ${w.fix}`))
  const state = {version: 1 as const, expiresAt: credentials.expiresAt, username: credentials.username, urls}
  return {result, state, removedUrls}
}

export interface TurnRefreshLoopOptions extends TurnRefreshOptions {
  everyMs: number
  /** After a deferral or an error, try again this soon (capped by everyMs). Default 5 min. */
  retryMs?: number
  log: Log
  /** Injected for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** Refreshes every `everyMs` until `signal` aborts; one event per attempt through `log`. */
export async function runTurnRefreshLoop(options: TurnRefreshLoopOptions): Promise<void> {
  const wait = options.sleep ?? sleep
  const retry = Math.min(options.everyMs, options.retryMs ?? 300_000)
  const now = options.now ?? Date.now
  options.log({
    level: 'info',
    event: 'turn-refresh.started',
    msg: `Refreshing TURN credentials every ${hours(options.everyMs)}`,
  })
  while (!options.signal?.aborted) {
    let nextIn = options.everyMs
    try {
      const result = await refreshTurn(options)
      if (result.action === 'deferred') nextIn = retry
      options.log({
        level: 'info',
        event: `turn-refresh.${result.action}`,
        msg:
          result.action === 'refreshed'
            ? `Refreshed: valid until ${result.expiresAt} (${result.reason})`
            : `Deferred: ${result.reason}`,
        expiresAt: result.expiresAt,
        sessions: result.sessions,
      })
    } catch (error) {
      if (options.signal?.aborted) break
      nextIn = retry
      const e = error instanceof R58Error ? error : undefined
      options.log({
        level: 'error',
        event: 'turn-refresh.failed',
        msg: e ? e.text : error instanceof Error ? error.message : String(error),
        ...(e && {code: e.code}),
      })
    }
    options.log({
      level: 'debug',
      event: 'turn-refresh.next',
      msg: `Next attempt at ${iso(now() + nextIn)}`,
      at: iso(now() + nextIn),
    })
    try {
      await wait(nextIn, options.signal)
    } catch {
      break
    }
  }
  options.log({level: 'info', event: 'turn-refresh.stopped', msg: 'Stopped'})
}
