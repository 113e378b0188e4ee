/**
 * From checks to the five ways a guest can reach MediaMTX, and one recommendation. Pure functions of the
 * checks, so the verdict logic is table-tested without any network.
 */
import {EXIT, type ExitCode} from '../errors.js'
import type {Check, CheckStatus} from '../report/check.js'

export type OptionId = 'lan' | 'tailscale' | 'turn' | 'forward' | 'calls'

export const OPTION_IDS: readonly OptionId[] = ['lan', 'tailscale', 'turn', 'forward', 'calls']

/** Which checks decide each option (by id prefix). */
const OPTION_CHECKS: Record<OptionId, string> = {
  lan: 'lan.',
  tailscale: 'tailscale.',
  turn: 'turn.',
  forward: 'forward.',
  calls: 'calls.',
}

const TITLE: Record<OptionId, string> = {
  lan: 'LAN (guests on this network)',
  tailscale: 'Tailscale (guests on your tailnet)',
  turn: 'TURN on MediaMTX (remote guests, direct)',
  forward: 'Public address with a forwarded UDP port (remote guests, direct)',
  calls: 'Cloudflare Calls relay (remote guests, anywhere)',
}

/** Options that serve guests outside the LAN. */
const REMOTE: ReadonlySet<OptionId> = new Set(['tailscale', 'turn', 'forward', 'calls'])

/** For recommending among working options: direct paths first, then the relay, then the tailnet. */
const PREFERENCE: readonly OptionId[] = ['turn', 'forward', 'calls', 'tailscale']

export interface GuestOption {
  id: OptionId
  title: string
  status: CheckStatus
  /** True when this option serves guests outside the LAN. */
  remote: boolean
  /** The deciding check's evidence. */
  evidence: string
  fix?: string
  checks: string[]
}

export interface Recommendation {
  option: OptionId | null
  text: string
  fix?: string
}

/**
 * fail > cancelled > unknown > warn > pass; skip only when every check was skipped. A failure is evidence
 * whatever else happened; a cancelled or out-of-time check leaves the option undecided, never passed.
 */
function combine(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.length === 0 || statuses.every((s) => s === 'skip')) return 'skip'
  for (const status of ['fail', 'cancelled', 'unknown', 'warn'] as const) if (statuses.includes(status)) return status
  return 'pass'
}

/**
 * Options that only a guest's view can prove: whatever else passed, the option is not checked until that
 * check ran (a forwarded port is proven from outside the NAT, never from the box).
 */
const PROOF: Partial<Record<OptionId, string>> = {forward: 'forward.relay-only'}

export function guestOptions(checks: readonly Check[]): GuestOption[] {
  return OPTION_IDS.map((id) => {
    const own = checks.filter((check) => check.id.startsWith(OPTION_CHECKS[id]))
    const proof = own.find((c) => c.id === PROOF[id])
    const combined = combine(own.map((c) => c.status))
    const unproven = proof?.status === 'skip' && (combined === 'pass' || combined === 'warn')
    if (unproven) {
      return {
        id,
        title: TITLE[id],
        status: 'skip',
        remote: REMOTE.has(id),
        evidence: proof.evidence,
        checks: own.map((c) => c.id),
      }
    }
    const status = combined
    // The evidence of the check that decided the status; for a pass, the last (most end-to-end) check.
    const deciding =
      status === 'pass' ? own.filter((c) => c.status === 'pass').at(-1) : own.find((c) => c.status === status)
    const fix = own.find((c) => c.status === 'fail' && c.fix)?.fix ?? own.find((c) => c.status !== 'pass' && c.fix)?.fix
    return {
      id,
      title: TITLE[id],
      status,
      remote: REMOTE.has(id),
      evidence: deciding?.evidence ?? 'not checked',
      ...(fix !== undefined && {fix}),
      checks: own.map((c) => c.id),
    }
  })
}

export interface RecommendContext {
  /** Ctrl-C stopped the run: recommend nothing from a partial report. */
  cancelled?: boolean
  /** `MediaMTX is not reachable at …`: nothing else can be judged, so this leads. */
  mediamtxUnreachable?: string
}

export function recommend(options: readonly GuestOption[], context: RecommendContext = {}): Recommendation {
  if (context.cancelled) {
    return {
      option: null,
      text: 'Cancelled (Ctrl-C) before every check concluded: this report is partial; run diagnose again.',
    }
  }
  if (context.mediamtxUnreachable) {
    const lan = options.find((o) => o.id === 'lan')
    return {
      option: null,
      text: `${context.mediamtxUnreachable}: no way in can be judged until it answers.`,
      ...(lan?.fix !== undefined && {fix: lan.fix}),
    }
  }
  const byId = new Map(options.map((o) => [o.id, o]))
  for (const id of PREFERENCE) {
    const option = byId.get(id)
    if (option && (option.status === 'pass' || option.status === 'warn')) {
      const texts: Record<OptionId, string> = {
        turn: 'Remote guests can publish directly: MediaMTX offers TURN relay candidates that work.',
        forward:
          'Remote guests can publish directly: MediaMTX advertises the public address and the router forwards its UDP port.',
        calls: 'Remote guests can publish through the Calls relay: give them the relay’s /join/<path> link.',
        tailscale:
          option.status === 'warn'
            ? 'MediaMTX advertises its tailnet address and accepts a publish to it from this box (a local self-test): prove the tailnet path from a tailnet device with the tailscale fix; guests elsewhere cannot publish yet.'
            : 'Guests on your tailnet can publish directly; guests elsewhere cannot yet.',
        lan: '',
      }
      return {
        option: id,
        text: texts[id],
        ...(option.status === 'warn' && option.fix !== undefined && {fix: option.fix}),
      }
    }
  }
  // Nothing works for remote guests: the smallest fix is the one of the option that got furthest.
  const attempted = PREFERENCE.map((id) => byId.get(id)).filter(
    (o): o is GuestOption => o !== undefined && o.status === 'fail' && o.fix !== undefined,
  )
  const first = attempted[0] ?? options.find((o) => o.remote && o.fix !== undefined)
  const lan = byId.get('lan')
  const undecided = options.filter((o) => o.remote && o.status === 'unknown').map((o) => o.id)
  const prefix = `${lan?.status === 'pass' ? 'Only guests on this LAN can publish.' : 'No guest can publish yet.'}${undecided.length > 0 ? ` Not decided, out of time (raise --timeout): ${undecided.join(', ')}.` : ''}`
  if (!first)
    return {option: null, text: `${prefix} Configure TURN for MediaMTX or the Calls relay (see the fixes above).`}
  return {
    option: null,
    text: `${prefix} Smallest fix: ${first.title}.`,
    ...(first.fix !== undefined && {fix: first.fix}),
  }
}

/**
 * Exit 0 when an option works for remote guests, or, with `require`, when every required option passes;
 * 3 otherwise, so scripts can branch on it.
 */
export function diagnoseExitCode(options: readonly GuestOption[], require: readonly OptionId[] = []): ExitCode {
  const works = (o: GuestOption | undefined) => o !== undefined && (o.status === 'pass' || o.status === 'warn')
  if (require.length > 0) {
    return require.every((id) => works(options.find((o) => o.id === id))) ? EXIT.ok : EXIT.checkFailed
  }
  return options.some((o) => o.remote && works(o)) ? EXIT.ok : EXIT.checkFailed
}
