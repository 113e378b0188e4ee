/**
 * `r58 diagnose`: which way can a guest reach this MediaMTX — LAN, Tailscale, TURN on MediaMTX, a public
 * address with a forwarded UDP port, or the Calls relay — and what is the smallest fix for the rest. Checks run concurrently, each bounded, the whole bounded
 * by `timeoutMs`; the report says what was observed (selected candidate pairs, advertised candidates), not
 * what is assumed. A check that does not apply is `skip`, never a failure; one stopped by Ctrl-C is `cancelled`,
 * one that ran out of its share of the bound is `unknown`: neither decides an option.
 *
 * One module per option (option-lan, option-tailscale, option-turn, option-forward, option-calls) plus host.ts;
 * this file only orders them in phases and assembles the report.
 */
import {EXIT, type ExitCode} from '../errors.js'
import {createDiagnoseContext} from './diagnose-context.js'
import type {DiagnoseOptions, DiagnoseReport} from './diagnose-types.js'
import {checkHost} from './host.js'
import {readMediamtxView} from './mediamtx-view.js'
import {checkCallsCredentials, checkRelayEndToEnd, checkRelayHealth} from './option-calls.js'
import {checkForwarded, checkPublicAddress} from './option-forward.js'
import {checkLan, lanAnswer} from './option-lan.js'
import {checkTailscaleAnswer, checkTailscaleUp} from './option-tailscale.js'
import {checkTurnConfigured, checkTurnRelayOnly} from './option-turn.js'
import {diagnoseExitCode, guestOptions, recommend} from './options.js'

export async function diagnose(options: DiagnoseOptions): Promise<DiagnoseReport> {
  const ctx = createDiagnoseContext(options)
  const {mediamtx, user} = ctx

  // Phase 1, concurrently: the LAN probe (whose answer later checks analyse), Tailscale, MediaMTX's own
  // configuration, the public address, the Calls credentials, the relay's health, the host.
  const lan = checkLan(ctx)
  const tailscaleUp = checkTailscaleUp(ctx)
  const view = readMediamtxView(options, ctx.step(), ctx.signal)
  const publicAddress = checkPublicAddress(ctx)
  const callsCheck = checkCallsCredentials(ctx)
  const relayHealth = checkRelayHealth(ctx)
  const host = checkHost(options.host)
  const relayCheck = checkRelayEndToEnd(ctx, relayHealth)

  // The Calls checks finish before the relay-only TURN probe starts: run at the same time on one small box,
  // their werift peers were seen to starve each other's ICE (see the closing note of issue 8).
  const [lanRun, tailscale, , , publicRun] = await Promise.all([
    lan,
    tailscaleUp,
    callsCheck,
    relayCheck,
    publicAddress,
  ])
  const answer = lanAnswer(ctx, lanRun.check, lanRun.report)
  const mediamtxView = await view

  // Phase 2: the checks that build on the LAN answer, the configuration and the relay's health.
  const tailnet = checkTailscaleAnswer(ctx, tailscale.address, answer)
  const turnConfigured = checkTurnConfigured(ctx, mediamtxView, answer)
  const turnRelayOnly = checkTurnRelayOnly(ctx, mediamtxView, answer)
  const [, , , relayOnly] = await Promise.all([tailnet.advertised, tailnet.whip, turnConfigured, turnRelayOnly])

  // Phase 3: the forwarded port, proved (or not) by the relay-only guest of phase 2.
  const forwarded = await checkForwarded(ctx, publicRun.found, answer.candidates, relayOnly.run)

  const checks = [
    lanRun.check,
    tailscale.check,
    await tailnet.advertised,
    await tailnet.whip,
    await turnConfigured,
    relayOnly.check,
    publicRun.check,
    ...forwarded,
    await callsCheck,
    await relayHealth,
    await relayCheck,
    ...(await host),
  ].map(ctx.finish)
  const guestOptionList = guestOptions(checks)
  const cancelled = user?.aborted === true
  const exitCode: ExitCode = cancelled ? EXIT.interrupted : diagnoseExitCode(guestOptionList, options.require)
  return {
    target: {whipUrl: mediamtx.whipUrl, apiUrl: mediamtx.apiUrl ?? null, path: mediamtx.path},
    checks,
    options: guestOptionList,
    recommendation: recommend(guestOptionList, {
      cancelled,
      ...(answer.mediamtxDown && {mediamtxUnreachable: `MediaMTX is not reachable at ${mediamtx.whipUrl}`}),
    }),
    cancelled,
    ok: exitCode === 0,
    exitCode,
  }
}
