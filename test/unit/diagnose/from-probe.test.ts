import {describe, expect, it} from 'vitest'
import {fromProbe, tailnetSelfTest} from '../../../src/diagnose/from-probe.js'
import type {Check, CheckStatus} from '../../../src/report/check.js'
import type {WhipProbeReport} from '../../../src/whip/probe.js'

const REMOTE_FIX = '`r58 mediamtx configure --turn …`, or use the Calls relay'

const step = (id: string, status: CheckStatus, fix?: string): Check => ({
  id,
  title: id,
  status,
  evidence: `${id} ${status}`,
  startedAt: '2026-12-07T00:00:00.000Z',
  durationMs: 1,
  ...(status === 'fail' && {failure: 'unreachable' as const}),
  ...(fix !== undefined && {fix}),
})

/** A probe of a LAN-only MediaMTX whose answer verdict carries the remote-guest fix. */
function probeReport(failing: string, fix?: string): WhipProbeReport {
  const order = ['whip.options', 'whip.post', 'whip.answer.candidates', 'whip.ice', 'whip.dtls', 'whip.media']
  const at = order.indexOf(failing)
  const checks = order.map((id, i) =>
    step(id, i < at ? 'pass' : i === at ? 'fail' : 'skip', i === at ? fix : undefined),
  )
  return {
    ok: false,
    checks,
    candidates: [],
    selectedPair: null,
    verdict: {scope: 'lan', text: 'MediaMTX advertises only 192.168.1.58:8189/udp', fix: REMOTE_FIX},
  } as unknown as WhipProbeReport
}

describe('fromProbe keeps causes apart', () => {
  it.each([
    {
      failing: 'whip.dtls',
      fix: undefined,
      want: /DTLS handshake did not finish: a LAN problem, not the remote-guest one/,
    },
    {failing: 'whip.ice', fix: REMOTE_FIX, want: /UDP port did not answer from this box/},
  ])('a LAN $failing failure gets a LAN fix, never the remote-guest one', ({failing, fix, want}) => {
    const outcome = fromProbe(probeReport(failing, fix), 'published', {role: 'lan'})
    expect(outcome.status).toBe('fail')
    expect(outcome.fix).toMatch(want)
    expect(outcome.fix).not.toContain('mediamtx configure --turn')
    expect(outcome.data?.['failedStep']).toBe(failing)
  })

  it('keeps a step’s own fix on the LAN (credentials)', () => {
    const outcome = fromProbe(probeReport('whip.options', 'Give the publish credentials'), 'published', {role: 'lan'})
    expect(outcome.fix).toBe('Give the publish credentials')
  })

  it('a probe that tried no candidate is "not tried", neither a pass nor a failure', () => {
    const report = probeReport('whip.ice')
    const ice = report.checks.find((c) => c.id === 'whip.ice') as Check
    Object.assign(ice, {status: 'skip', evidence: 'not tried: 198.18.0.1:8189/udp: outside --via this-host'})
    delete ice.failure
    const outcome = fromProbe({...report, ok: false}, 'through TURN', {role: 'remote'})
    expect(outcome).toMatchObject({
      status: 'skip',
      evidence: 'through TURN: not tried: 198.18.0.1:8189/udp: outside --via this-host',
    })
  })

  it('gives a remote guest the verdict’s fix when the step has none', () => {
    expect(fromProbe(probeReport('whip.dtls'), 'through TURN', {role: 'remote'}).fix).toBe(REMOTE_FIX)
  })
})

describe('the tailnet publish from the box itself', () => {
  it('is a local self-test: never a pass, and its fix is the probe to run from a tailnet peer', () => {
    const outcome = tailnetSelfTest(
      {status: 'pass', evidence: 'published: connected via host 100.64.0.7:1 ↔ host 100.64.0.7:8189/udp'},
      'http://100.64.0.7:8889/r58-probe-tailnet/whip',
      1280,
    )
    expect(outcome.status).toBe('warn')
    expect(outcome.evidence).toMatch(/^local self-test only \(packets never left this box\)/)
    expect(outcome.evidence).toContain('proven only from a tailnet peer')
    expect(outcome.fix).toBe('r58 probe whip http://100.64.0.7:8889/r58-probe-tailnet/whip')
    expect(outcome.data?.['selfTest']).toBe(true)
  })
})
