/**
 * The relay's two ways of carrying a guest into MediaMTX (docs/whep-mode.md):
 * - `whep`: MediaMTX pulls each guest straight from Calls (a path with `source: whep://` pointing at the relay's
 *   WHEP façade); the relay only signals. Needs MediaMTX v1.2.0+ (v3 control API; whep:// sources since v1.0.0).
 * - `forward`: the relay pulls from Calls with werift and publishes into the target with WHIP (any WHIP server).
 * `auto` picks `whep` when the target is MediaMTX and its API says it can, else `forward` with the reason.
 */

import type {WhepCapability} from './mediamtx-paths.js'

export type RelayMode = 'whep' | 'forward'
export type RequestedRelayMode = 'auto' | RelayMode
export const RELAY_MODES: readonly RequestedRelayMode[] = ['auto', 'whep', 'forward']

export interface ModeDecision {
  mode: RelayMode
  requested: RequestedRelayMode
  /** One line: why this mode (logged at start, shown in /status). */
  reason: string
  mediamtxVersion: string | null
}

/** Where a guest's media flows in each mode, as `relay status` and `/status` show it. */
export const MEDIA_ROUTE: Record<RelayMode, string> = {
  whep: 'guest → Calls → MediaMTX (MediaMTX pulls over WHEP; no media in the relay)',
  forward: 'guest → Calls → relay (werift) → MediaMTX (WHIP)',
}

export interface ModeInput {
  requested: RequestedRelayMode
  /** False when the operator gave a WHIP target template (e.g. Janus): only forward can serve it. */
  targetIsMediamtx: boolean
  /** Asks MediaMTX's API; undefined when no API is configured. */
  probe: (() => Promise<WhepCapability>) | undefined
}

export async function chooseRelayMode(input: ModeInput): Promise<ModeDecision> {
  const {requested} = input
  const forward = (reason: string, version: string | null = null): ModeDecision => ({
    mode: 'forward',
    requested,
    reason,
    mediamtxVersion: version,
  })
  if (requested === 'forward') return forward('forward mode was asked for (--mode forward)')
  if (requested === 'auto' && !input.targetIsMediamtx) {
    return forward('the target is a WHIP URL template, not MediaMTX: the relay forwards media itself')
  }
  if (!input.probe) return forward('no MediaMTX control API configured (--mediamtx-api-url): forwarding instead')
  const capability = await input.probe()
  if (!capability.whep) return forward(`${capability.reason}: falling back to forward mode`, capability.version)
  return {mode: 'whep', requested, reason: capability.reason, mediamtxVersion: capability.version}
}

/** UDP sockets open in this process: zero in `whep` mode, where no media passes through the relay. */
export function udpSocketCount(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'UDPWrap').length
}
