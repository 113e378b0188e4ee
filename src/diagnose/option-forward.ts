/**
 * Option 4, a forwarded UDP port: this box's public address (STUN), MediaMTX advertising it, and a guest outside
 * the NAT reaching it (the relay-only publish of option 3 is that guest).
 */
import {type Check, skippedCheck} from '../report/check.js'
import {probeStun} from '../stun/stun-probe.js'
import type {WhipProbeReport} from '../whip/probe.js'
import type {DiagnoseContext} from './diagnose-context.js'
import {turnOnly} from './option-turn.js'
import {advertisedOutcome, forwardedOutcome, type PublicAddress, publicAddressOutcome} from './public-address.js'
import type {RelayOnlyRun} from './turn-relay-only.js'

export async function checkPublicAddress(
  ctx: DiagnoseContext,
): Promise<{check: Check; found: PublicAddress | undefined}> {
  const {options} = ctx
  const stunUrls = options.stun?.urls ?? turnOnly(options.turn?.iceServers ?? []).flatMap((s) => s.urls as string[])
  if (stunUrls.length === 0) {
    const check = skippedCheck(
      'forward.public-address',
      'Public address of this box (STUN)',
      'no STUN or TURN server to learn the public address from',
      'Give a STUN server with --stun-urls (or TURN servers with --turn-urls).',
    )
    return {check, found: undefined}
  }
  let found: PublicAddress | undefined
  const check = await ctx.track('forward.public-address', 'Public address of this box (STUN)', async (budget) => {
    const stun = await probeStun({urls: stunUrls.slice(0, 3), count: 2, timeoutMs: budget, signal: ctx.signal})
    const result = publicAddressOutcome(stun, stunUrls)
    found = result.found
    return result.outcome
  })
  return {check, found}
}

/** Phase 3: after the relay-only publish, which is the guest outside the NAT. */
export async function checkForwarded(
  ctx: DiagnoseContext,
  publicAddress: PublicAddress | undefined,
  answer: WhipProbeReport['candidates'],
  relayOnlyRun: RelayOnlyRun,
): Promise<Check[]> {
  const advertised = await ctx.track('forward.advertised', 'MediaMTX advertises the public address', async () =>
    advertisedOutcome(publicAddress, answer, (address) => ctx.configureFix(['--add-host', address]).fix),
  )
  const reached = await ctx.track(
    'forward.relay-only',
    'A guest outside the NAT reaches the forwarded port',
    async () => forwardedOutcome(publicAddress, advertised.status === 'pass', relayOnlyRun),
  )
  return [advertised, reached]
}
