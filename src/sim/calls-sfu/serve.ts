/**
 * `r58 calls emulate`: resolve what the emulator will serve (app id and secret, TURN key and URLs),
 * generating what is not configured, then run it until cancelled. A generated secret is the user's own
 * emulator secret: it appears once, in the startup event, and is valid only for that run.
 */
import {randomBytes} from 'node:crypto'
import {R58Error} from '../../errors.js'
import {parseIceUrl} from '../../ice/ice-url.js'
import {checkListen} from '../../net/listen-check.js'
import {formatHostPort, type HostPort} from '../../util/host-port.js'
import type {Log} from '../../util/log.js'
import {type CallsEmulatorOptions, startCallsEmulator} from './sfu-server.js'

export interface EmulatorPlanInput {
  listen: HostPort
  appId?: string | undefined
  appSecret?: string | undefined
  /** TURN server URLs to hand out (a local coturn). */
  turnUrls?: readonly string[]
  /** coturn `static-auth-secret` of that server. */
  turnSecret?: string | undefined
  turnKeyId?: string | undefined
  turnKeyToken?: string | undefined
  mediaAddresses?: readonly string[]
  inactivityMs?: number
}

export interface EmulatorPlan {
  listen: string
  appId: string
  /** Where the app secret comes from: configured, or generated for this run. */
  appSecretSource: 'configured' | 'generated'
  turn: {
    enabled: boolean
    keyId: string | null
    keyTokenSource: 'configured' | 'generated' | null
    turnUrls: string[]
    stunUrls: string[]
    /** Whether credentials are minted with the TURN server's shared secret (so they really work on it). */
    sharedSecret: boolean
  }
  mediaAddresses: string[] | null
  inactivityMs: number
}

/** A plan plus the secrets it resolved (never part of the plan, which may be printed). */
export interface ResolvedEmulatorPlan {
  plan: EmulatorPlan
  host: string
  port: number
  appSecret: string
  turnKeyToken: string | undefined
  turnSecret: string | undefined
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex')

/** STUN URLs for the hosts of the TURN URLs (a TURN server answers STUN on the same port). */
function stunUrlsOf(turnUrls: readonly string[]): string[] {
  const out = new Set<string>()
  for (const url of turnUrls) {
    const parsed = parseIceUrl(url)
    if (parsed.scheme === 'turn') out.add(`stun:${formatHostPort({host: parsed.host, port: parsed.port})}`)
  }
  return [...out]
}

export function planCallsEmulator(input: EmulatorPlanInput): ResolvedEmulatorPlan {
  for (const url of input.turnUrls ?? []) {
    if (!parseIceUrl(url, '--turn-url').isTurn) {
      throw new R58Error(
        'E_USAGE',
        `--turn-url: expected turn:host:port or turns:host:port, got ${JSON.stringify(url)}`,
        {
          field: '--turn-url',
        },
      )
    }
  }
  const turnUrls = [...(input.turnUrls ?? [])]
  const turnKeyId = input.turnKeyId ?? (turnUrls.length > 0 || input.turnKeyToken ? 'r58-turn-key' : undefined)
  const turnKeyToken = turnKeyId === undefined ? undefined : (input.turnKeyToken ?? hex(32))
  const appSecret = input.appSecret ?? hex(32)
  const plan: EmulatorPlan = {
    listen: formatHostPort(input.listen),
    appId: input.appId ?? hex(16),
    appSecretSource: input.appSecret === undefined ? 'generated' : 'configured',
    turn: {
      enabled: turnKeyId !== undefined,
      keyId: turnKeyId ?? null,
      keyTokenSource: turnKeyId === undefined ? null : input.turnKeyToken === undefined ? 'generated' : 'configured',
      turnUrls,
      stunUrls: stunUrlsOf(turnUrls),
      sharedSecret: input.turnSecret !== undefined,
    },
    mediaAddresses: input.mediaAddresses ? [...input.mediaAddresses] : null,
    inactivityMs: input.inactivityMs ?? 30_000,
  }
  return {
    plan,
    host: input.listen.host || '127.0.0.1',
    port: input.listen.port,
    appSecret,
    turnKeyToken,
    turnSecret: input.turnSecret,
  }
}

function emulatorOptions(resolved: ResolvedEmulatorPlan, log: Log): CallsEmulatorOptions {
  const {plan} = resolved
  const options: CallsEmulatorOptions = {
    host: resolved.host,
    port: resolved.port,
    apps: new Map([[plan.appId, resolved.appSecret]]),
    inactivityMs: plan.inactivityMs,
    unconnectedExpiryMs: plan.inactivityMs,
    log,
  }
  if (plan.mediaAddresses) options.mediaAddresses = plan.mediaAddresses
  if (plan.turn.keyId !== null && resolved.turnKeyToken !== undefined) {
    options.turn = {
      keys: new Map([[plan.turn.keyId, resolved.turnKeyToken]]),
      turnUrls: plan.turn.turnUrls,
      stunUrls: plan.turn.stunUrls,
      ...(resolved.turnSecret !== undefined && {sharedSecret: resolved.turnSecret}),
    }
  }
  return options
}

/** Binds the listen address and releases it at once: proves `--listen` is usable (`--dry-run`). */
export async function checkListenAddress(resolved: ResolvedEmulatorPlan): Promise<EmulatorPlan> {
  return {...resolved.plan, listen: await checkListen(resolved.host, resolved.port)}
}

/**
 * Runs the emulator until `signal` fires: one `calls.emulator.started` event (with the API base to use,
 * and any generated secret), the emulator's own events, then `calls.emulator.stopped`.
 */
export async function serveCallsEmulator(resolved: ResolvedEmulatorPlan, log: Log, signal: AbortSignal): Promise<void> {
  let emulator: Awaited<ReturnType<typeof startCallsEmulator>>
  try {
    emulator = await startCallsEmulator(emulatorOptions(resolved, log))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new R58Error('E_CONFIG', `--listen ${resolved.plan.listen}: cannot listen (${code ?? String(error)})`, {
      field: '--listen',
      hint: code === 'EADDRINUSE' ? 'Another process uses that port: pick another with --listen.' : undefined,
      cause: error,
    })
  }
  const {plan} = resolved
  log({
    level: 'info',
    event: 'calls.emulator.started',
    msg: `Calls emulator on ${emulator.url}: use --calls-api-base ${emulator.apiBase} --calls-app-id ${plan.appId}`,
    apiBase: emulator.apiBase,
    appId: plan.appId,
    ...(plan.appSecretSource === 'generated' && {appSecret: resolved.appSecret}),
    ...(plan.turn.enabled && {
      turn: {
        apiBase: emulator.apiBase,
        keyId: plan.turn.keyId,
        ...(plan.turn.keyTokenSource === 'generated' && {keyToken: resolved.turnKeyToken}),
        turnUrls: plan.turn.turnUrls,
      },
    }),
  })
  if (!signal.aborted) {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), {once: true}))
  }
  const stats = emulator.stats()
  await emulator.close()
  log({
    level: 'info',
    event: 'calls.emulator.stopped',
    msg: `stopped after ${stats.sessions.created} session(s), ${stats.media.packetsOut} packets forwarded`,
    sessions: stats.sessions.created,
    packetsForwarded: stats.media.packetsOut,
  })
}
