import {describe, expect, it} from 'vitest'
import {R58Error} from '../../../src/errors.js'
import {type Check, exitCodeOf, isOk, runCheck, skippedCheck, unconcluded} from '../../../src/report/check.js'

const c = (status: Check['status'], failure?: Check['failure']) => ({status, ...(failure && {failure})})

describe('exitCodeOf', () => {
  it.each([
    {checks: [], want: 0},
    {checks: [c('pass'), c('warn'), c('skip')], want: 0},
    {checks: [c('pass'), c('fail')], want: 3},
    {checks: [c('fail', 'unreachable')], want: 4},
    {checks: [c('fail', 'unreachable'), c('fail', 'auth')], want: 5},
    {checks: [c('fail', 'failed'), c('fail', 'unreachable')], want: 4},
    {checks: [c('fail', 'auth'), c('fail', 'config')], want: 6},
    // Out of time decides nothing; Ctrl-C makes the report partial, whatever else failed.
    {checks: [c('pass'), c('unknown')], want: 0},
    {checks: [c('unknown'), c('fail', 'unreachable')], want: 4},
    {checks: [c('pass'), c('cancelled')], want: 130},
    {checks: [c('fail', 'config'), c('cancelled')], want: 130},
  ])('$checks → $want', ({checks, want}) => expect(exitCodeOf(checks as Check[])).toBe(want))
})

describe('runCheck', () => {
  let clock = 1000
  const now = () => clock

  it('records a pass with its timing', async () => {
    const check = await runCheck(
      'x.ok',
      'ok',
      async () => {
        clock += 25
        return {status: 'pass', evidence: 'fine'}
      },
      {now},
    )
    expect(check).toMatchObject({id: 'x.ok', status: 'pass', evidence: 'fine', durationMs: 25})
    expect(check.failure).toBeUndefined()
  })

  it.each([
    {error: new R58Error('E_AUTH', 'rejected', {hint: 'fix it'}), failure: 'auth', fix: 'fix it'},
    {error: new R58Error('E_TIMEOUT', 'slow'), failure: 'unreachable', fix: undefined},
    {error: new R58Error('E_CHECK_FAILED', 'bad'), failure: 'failed', fix: undefined},
    {
      error: Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}),
      failure: 'unreachable',
      fix: undefined,
    },
  ])('turns $error.message into a $failure check', async ({error, failure, fix}) => {
    const check = await runCheck('x.fail', 'fail', async () => {
      throw error
    })
    expect(check).toMatchObject({status: 'fail', failure, evidence: expect.any(String)})
    expect(check.fix).toBe(fix)
  })

  it('rethrows bugs', async () => {
    await expect(
      runCheck('x.bug', 'bug', async () => {
        throw new TypeError('oops')
      }),
    ).rejects.toThrow('oops')
  })

  it('keeps skip distinct from fail', () => {
    expect(skippedCheck('x.skip', 'skip', 'not configured')).toMatchObject({status: 'skip', evidence: 'not configured'})
    expect(exitCodeOf([skippedCheck('x', 'x', 'y')])).toBe(0)
  })
})

describe('unconcluded', () => {
  const failed: Check = {
    id: 'x.slow',
    title: 'slow',
    status: 'fail',
    failure: 'unreachable',
    evidence: 'ICE checking: no result within 500 ms',
    fix: 'the remote fix',
    startedAt: '2026-12-07T00:00:00.000Z',
    durationMs: 500,
  }

  it.each(['cancelled', 'unknown'] as const)(
    'makes a %s check that keeps what it saw and drops the verdict',
    (status) => {
      const check = unconcluded(failed, status, 'why')
      expect(check).toMatchObject({
        id: 'x.slow',
        status,
        evidence: 'why; so far: ICE checking: no result within 500 ms',
      })
      expect(check.failure).toBeUndefined()
      expect(check.fix).toBeUndefined()
      expect(isOk([check])).toBe(status === 'unknown')
    },
  )
})
