/** Option 2, Tailscale: this box on a tailnet, MediaMTX advertising that address, a publish through it. */
import {R58Error} from '../errors.js'
import {findTailscaleAddress} from '../mediamtx/tailscale.js'
import {type Check, skippedCheck} from '../report/check.js'
import {probeWhip} from '../whip/probe.js'
import type {DiagnoseContext} from './diagnose-context.js'
import {fromProbe, tailnetSelfTest} from './from-probe.js'
import type {LanAnswer} from './option-lan.js'

/** The tailnet's MTU (tailscale net/tstun): RTP payloads must stay under it. */
const TAILNET_MTU = 1280

export async function checkTailscaleUp(ctx: DiagnoseContext): Promise<{check: Check; address: string | undefined}> {
  let address: string | undefined
  const check = await ctx.track('tailscale.up', 'This box is on a tailnet', async () => {
    try {
      const found = await findTailscaleAddress({timeoutMs: 1500, ...ctx.options.tailscale})
      address = found.address
      return {
        status: 'pass',
        evidence: `${found.address} (from ${found.source === 'interface' ? found.interface : 'tailscale ip -4'})`,
      }
    } catch (error) {
      return {
        status: 'skip',
        evidence: `not on a tailnet: ${error instanceof R58Error ? error.text : String(error)}`,
        fix: 'Install Tailscale on the box and run `tailscale up`, if your guests are on your tailnet.',
      }
    }
  })
  return {check, address}
}

/** Phase 2: does the LAN answer list the tailnet address, and does a publish to it work. */
export function checkTailscaleAnswer(
  ctx: DiagnoseContext,
  tailnetAddress: string | undefined,
  lan: LanAnswer,
): {advertised: Promise<Check>; whip: Promise<Check>} {
  const answer = lan.candidates
  const advertised = (async (): Promise<Check> => {
    if (!tailnetAddress)
      return skippedCheck('tailscale.advertised', 'MediaMTX advertises the tailnet address', 'not on a tailnet')
    if (answer.length === 0)
      return skippedCheck('tailscale.advertised', 'MediaMTX advertises the tailnet address', lan.noAnswer)
    const address = tailnetAddress
    return ctx.track('tailscale.advertised', 'MediaMTX advertises the tailnet address', async () =>
      answer.some((c) => c.address === address)
        ? {status: 'pass', evidence: `the answer lists ${address}`}
        : {
            status: 'fail',
            evidence: `the answer lists ${[...new Set(answer.map((c) => c.label))].join(', ')} but not ${address}`,
            ...ctx.configureFix(['--tailscale']),
          },
    )
  })()
  const whip = advertised.then((check) => {
    const title = 'Local self-test: WHIP publish to this box’s tailnet address'
    if (check.status !== 'pass' || !tailnetAddress) {
      return skippedCheck('tailscale.whip', title, 'MediaMTX does not advertise the tailnet address')
    }
    return ctx.track('tailscale.whip', title, (budget) => publishToTailnet(ctx, tailnetAddress, budget))
  })
  return {advertised, whip}
}

async function publishToTailnet(ctx: DiagnoseContext, tailnetAddress: string, budget: number) {
  const base = new URL(ctx.mediamtx.whipUrl)
  base.hostname = tailnetAddress
  const url = ctx.endpoint('tailnet', base.toString())
  const report = await probeWhip({
    url,
    token: ctx.mediamtx.token,
    durationMs: 300,
    timeoutMs: budget,
    via: ['tailnet'],
    iceServers: [],
    signal: ctx.signal,
  })
  return tailnetSelfTest(
    fromProbe(report, `published from this box to its own tailnet address`, {role: 'lan'}),
    url,
    TAILNET_MTU,
  )
}
