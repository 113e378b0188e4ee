/**
 * `r58 relay start`: from settings to a running relay. The plan is what will run, printable (no secrets),
 * and what `--dry-run` checks; `serveRelay` runs it until cancelled, then shuts down gracefully.
 */
import {readFile} from 'node:fs/promises'
import {R58Error, systemErrorCode} from '../errors.js'
import {parseIceUrl} from '../ice/ice-url.js'
import {checkListen} from '../net/listen-check.js'
import {parseHostPort} from '../util/host-port.js'
import type {Log} from '../util/log.js'
import {
  DEFAULT_RELAY_TARGET,
  type RelayOptions,
  type RunningRelay,
  requireAuthentication,
  startRelay,
} from './server.js'
import type {SessionTimings} from './session.js'
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
  stunUrls: readonly string[]
  turnKey?: {keyId: string; token: string; apiBase?: string | undefined} | undefined
  timings?: Partial<SessionTimings>
}

/** What will run; printed by `--dry-run` and in the startup event. No secrets. */
export interface RelayPlan {
  listen: string
  target: string
  calls: {appId: string; apiBase: string}
  auth: {open: boolean; tokens: number; tokensFile: string | null}
  allowOrigins: string[]
  maxSessions: number
  stunUrls: string[]
  guestTurn: boolean
}

export interface ResolvedRelayPlan {
  plan: RelayPlan
  options: Omit<RelayOptions, 'log'>
}

async function loadTokens(input: RelayPlanInput): Promise<TokenTable> {
  let table = emptyTokenTable()
  if (input.tokensFile !== undefined) {
    let text: string
    try {
      text = await readFile(input.tokensFile, 'utf8')
    } catch (error) {
      throw new R58Error(
        'E_CONFIG',
        `--relay-tokens-file: cannot read ${input.tokensFile} (${systemErrorCode(error) ?? String(error)})`,
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
  const tokens = await loadTokens(input)
  const apiBase = input.calls.apiBase ?? 'https://rtc.live.cloudflare.com/v1'
  const plan: RelayPlan = {
    listen: input.listen,
    target,
    calls: {appId: input.calls.appId, apiBase},
    auth: {open: input.open === true, tokens: tokenCount(tokens), tokensFile: input.tokensFile ?? null},
    allowOrigins: [...input.allowOrigins],
    maxSessions: input.maxSessions,
    stunUrls: [...input.stunUrls],
    guestTurn: input.turnKey !== undefined,
  }
  requireAuthentication(tokens, input.open, listen.host || '127.0.0.1')
  return {
    plan,
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
      stunUrls: input.stunUrls,
      turnKey: input.turnKey,
      ...(input.timings && {timings: input.timings}),
    },
  }
}

/** `--dry-run`: the plan, with the listen address proven usable. */
export async function checkRelayPlan(resolved: ResolvedRelayPlan): Promise<RelayPlan> {
  return {...resolved.plan, listen: await checkListen(resolved.options.host, resolved.options.port)}
}

/** Runs the relay until `signal` fires, then ends every session and closes. */
export async function serveRelay(resolved: ResolvedRelayPlan, log: Log, signal: AbortSignal): Promise<void> {
  const relay: RunningRelay = await startRelay({...resolved.options, log})
  log({
    level: 'info',
    event: 'relay.started',
    msg: `relay listening on ${relay.url}, publishing into ${resolved.plan.target}`,
    url: relay.url,
    plan: resolved.plan,
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
