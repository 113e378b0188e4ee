/**
 * Server-side limits and refusals on a real coturn: allocation quota (486), a relay that refuses loopback
 * peers (403 on CreatePermission), and proof that Ctrl-C frees the allocation.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type CoturnLab, startCoturn} from '../../../src/sim/lab/coturn.js'
import {openStreamLink, type StunLink} from '../../../src/stun/link.js'
import {allocateRequest, refreshRequest} from '../../../src/turn/messages.js'
import {TurnAuth, TurnRequestMachine} from '../../../src/turn/request-machine.js'
import {runRequest} from '../../../src/turn/request-runner.js'
import {probeTurn} from '../../../src/turn/turn-probe.js'
import {requireTurnserver} from '../../support/coturn.js'
import {expectNothingLeft, snapshot} from '../../support/resources.js'

/** An allocation held by someone else (over TCP: coturn returns the quota as soon as it closes). */
async function holdAllocation(lab: CoturnLab): Promise<{release(): Promise<void>}> {
  const remote = {address: '127.0.0.1', port: lab.ports.listening}
  const link: StunLink = await openStreamLink({transport: 'tcp', remote, servername: '127.0.0.1', timeoutMs: 2000})
  const auth = new TurnAuth({username: lab.username, password: lab.credential})
  const run = await runRequest(new TurnRequestMachine('allocate', auth, () => allocateRequest()), link, {
    timeoutMs: 2000,
    step: 'hold',
  })
  expect(run.action.type).toBe('success')
  return {
    async release() {
      await runRequest(new TurnRequestMachine('refresh', auth, () => refreshRequest(0)), link, {
        timeoutMs: 2000,
        step: 'release',
      })
      await link.close()
    },
  }
}

/**
 * Whether a new allocation fits the quota of one. coturn returns the quota of a UDP allocation freed with
 * Refresh 0 when it drops the UDP session, about a second later; an allocation that was NOT freed would hold
 * it for its whole lifetime (600 s). So: retry for a few seconds.
 */
async function allocatesAgain(lab: CoturnLab): Promise<string> {
  let outcome = ''
  for (let i = 0; i < 25; i++) {
    const report = await probeTurn({
      urls: [lab.turnUrls.udp],
      username: lab.username,
      credential: lab.credential,
      packets: 0,
    })
    outcome = report.results[0]?.outcome ?? 'none'
    if (outcome !== 'quota') break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return outcome
}

describe('user-quota=1', () => {
  let lab: CoturnLab
  beforeAll(async () => {
    requireTurnserver()
    lab = await startCoturn({extraConfig: ['user-quota=1']})
  })
  afterAll(() => lab?.stop())

  it('a second allocation: quota (486 Allocation Quota Reached), exit 3', async () => {
    const held = await holdAllocation(lab)
    try {
      const report = await probeTurn({urls: [lab.turnUrls.udp], username: lab.username, credential: lab.credential})
      expect(report.exitCode).toBe(3)
      expect(report.results[0]).toMatchObject({outcome: 'quota', step: 'allocate', error: {code: 486}})
      expect(report.results[0]?.message).toContain('allocation quota reached (486')
    } finally {
      await held.release()
    }
  })

  it.each(['tcp', 'tls'] as const)(
    'every probe frees its allocation: three in a row over %s fit a quota of one',
    async (transport) => {
      for (let i = 0; i < 3; i++) {
        const report = await probeTurn({
          urls: [lab.turnUrls[transport]],
          username: lab.username,
          credential: lab.credential,
          tls: {ca: lab.certificate.cert},
        })
        expect(report.results[0], report.results[0]?.message).toMatchObject({outcome: 'ok', freed: true})
      }
    },
  )

  it('a UDP probe frees its allocation (Refresh 0 answered, and the quota comes back)', async () => {
    const report = await probeTurn({urls: [lab.turnUrls.udp], username: lab.username, credential: lab.credential})
    expect(report.results[0]).toMatchObject({outcome: 'ok', freed: true})
    expect(await allocatesAgain(lab)).toBe('ok')
  })
})

describe('Ctrl-C (user-quota=1, nothing else allocated)', () => {
  let lab: CoturnLab
  beforeAll(async () => {
    requireTurnserver()
    lab = await startCoturn({extraConfig: ['user-quota=1']})
  })
  afterAll(() => lab?.stop())

  it('Ctrl-C: the probe stops, frees the allocation and closes every socket', async () => {
    const before = snapshot()
    const abort = new AbortController()
    // 100 echo packets 5 ms apart keep the probe busy in the data path when the abort comes.
    const probe = probeTurn({
      urls: [lab.turnUrls.udp],
      username: lab.username,
      credential: lab.credential,
      packets: 100,
      signal: abort.signal,
    })
    setTimeout(() => abort.abort(new Error('interrupted')), 150)
    // The report keeps what finished; what the abort cut short is cancelled (skip), not failed.
    const report = await probe
    expect(report.checks.some((check) => check.status === 'skip' && /^cancelled/.test(check.evidence))).toBe(true)
    expect(report.checks.filter((check) => check.status === 'fail')).toEqual([])
    await expectNothingLeft(before)
    // The quota is one: a new allocation only works if the aborted one was freed.
    expect(await allocatesAgain(lab)).toBe('ok')
  })
})

describe('a relay that refuses loopback peers', () => {
  let lab: CoturnLab
  beforeAll(async () => {
    requireTurnserver()
    lab = await startCoturn({allowLoopbackPeers: false})
  })
  afterAll(() => lab?.stop())

  it('the allocation works; the echo says the permission was refused (403), as a warning', async () => {
    const report = await probeTurn({urls: [lab.turnUrls.udp], username: lab.username, credential: lab.credential})
    expect(report.results[0]).toMatchObject({
      outcome: 'ok',
      freed: true,
      echo: {outcome: 'permission-denied', error: {code: 403}, received: 0},
    })
    expect(report.results[0]?.echo?.message).toMatch(
      /refused a permission for 127\.0\.0\.1:\d+ \(loopback address, 403/,
    )
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['turn.allocate.udp', 'pass'],
      ['turn.echo.udp', 'warn'],
    ])
    expect(report.exitCode).toBe(0)
  })
})
