/** Step 6, ICE: the answer (only the candidates the probe uses) applied, and the pair that won. */
import {R58Error} from '../../errors.js'
import type {CheckFailure, CheckOutcome} from '../../report/check.js'
import {filterCandidateLines, unbundleOnly} from '../../sdp/munge.js'
import {sleep, withTimeout} from '../../util/abort.js'
import {type SelectedPair, selectedPair} from '../../webrtc/selected-pair.js'
import type {Publisher} from '../publisher.js'
import type {WhipSession} from '../whip-client.js'
import type {ProbeContext} from './probe-context.js'

/** The answer werift is given: unused candidates removed, bundle-only m-lines given a port it accepts. */
function answerForPeer(ctx: ProbeContext, whip: WhipSession): string {
  const used = new Set(ctx.report.candidates.filter((c) => c.used).map((c) => c.lineNumber))
  const unbundled = unbundleOnly(filterCandidateLines(whip.answer, (line) => used.has(line)))
  if (unbundled.changed > 0)
    ctx.mark('answer.munged', `${unbundled.changed} bundle-only m-line(s) given port 9 (werift rejects port 0)`)
  return unbundled.sdp
}

/** Whether ICE connected (pass or warn); otherwise the probe stops. */
export async function connectIce(ctx: ProbeContext, publisher: Publisher, whip: WhipSession): Promise<boolean> {
  const {report, options, timeoutMs} = ctx
  const pc = publisher.pc
  const answer = answerForPeer(ctx, whip)
  const check = await ctx.run('whip.ice', async () => {
    // werift's iceConnectionState says "completed" once gathering ends and "connected" before a pair has
    // succeeded, so the pair itself is the signal: ICE is connected when a candidate pair succeeded.
    let failed = false
    pc.iceConnectionStateChange.subscribe((state) => {
      if (state === 'failed') failed = true
    })
    const connected = (async () => {
      for (;;) {
        if (selectedPair(pc) !== null) return
        if (failed) throw new R58Error('E_UNREACHABLE', 'ICE failed: no candidate pair answered')
        await sleep(5, options.signal)
      }
    })()
    connected.catch(() => {})
    await pc.setRemoteDescription({type: 'answer', sdp: answer}).catch((error: unknown) => {
      throw new R58Error(
        'E_PROTOCOL',
        `the answer was refused by WebRTC: ${error instanceof Error ? error.message : String(error)}`,
      )
    })
    const tried = report.candidates.filter((c) => c.used).map((c) => c.label)
    const notTried = report.candidates
      .filter((c) => !c.used)
      .map((c) => `${c.label}: ${c.skipReason}`)
      .filter((line, i, all) => all.indexOf(line) === i)
    if (tried.length === 0) {
      // Nothing was tried, so nothing failed: say what was set aside and why.
      return {status: 'skip', evidence: `not tried: ${notTried.join('; ')}`, data: {notTried}}
    }
    try {
      await withTimeout(connected, timeoutMs, 'ICE checking', options.signal)
    } catch (error) {
      if (error instanceof R58Error && error.code === 'E_TIMEOUT') {
        throw new R58Error(
          'E_TIMEOUT',
          `ICE checking: no answer from ${tried.join(', ')} within ${timeoutMs} ms${ctx.relayOnly ? ' through the TURN relay' : ''}${notTried.length > 0 ? ` (not tried: ${notTried.join('; ')})` : ''}`,
          {hint: report.verdict?.fix ?? undefined},
        )
      }
      throw error
    }
    report.selectedPair = selectedPair(pc)
    return iceOutcome(ctx, report.selectedPair)
  })
  if (check.status !== 'pass' && check.status !== 'warn') {
    ctx.stopReason = check.status === 'skip' ? 'no candidate was tried' : 'ICE did not connect'
    return false
  }
  return true
}

/** The pair that carried the checks, and whether werift quietly fell back from TURN/UDP to TURN/TCP. */
function iceOutcome(ctx: ProbeContext, pair: SelectedPair | null): CheckOutcome | CheckFailure {
  ctx.mark(
    'ice.connected',
    pair
      ? `ICE connected: ${pair.local.type} ${pair.local.address}:${pair.local.port} ⇄ ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}`
      : 'ICE connected',
  )
  const via = pair?.local.relayProtocol ? ` through TURN/${pair.local.relayProtocol.toUpperCase()}` : ''
  const evidence = pair
    ? `connected${via}: ${pair.local.type} ${pair.local.address}:${pair.local.port} ⇄ ${pair.remote.type} ${pair.remote.address}:${pair.remote.port}/${pair.remote.transport}`
    : 'connected'
  // werift retries a failed TURN/UDP allocation over TCP without a word: the pair says what carried media.
  const asked = ctx.report.iceServers.relay
  if (asked && !/^turns:|transport=tcp/i.test(asked) && pair?.local.relayProtocol === 'tcp') {
    return {
      status: 'warn',
      evidence: `${evidence}; TURN/UDP to ${asked} failed from here, werift fell back to TURN/TCP`,
      fix: 'Guests on networks that block UDP need TURN over TCP or TLS: hand out turn:HOST:PORT?transport=tcp and turns:HOST:5349 URLs (MediaMTX webrtcICEServers2, clientOnly).',
    }
  }
  return {status: 'pass', evidence}
}
