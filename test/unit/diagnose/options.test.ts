import {describe, expect, it} from 'vitest'
import {diagnoseExitCode, guestOptions, type OptionId, recommend} from '../../../src/diagnose/options.js'
import type {Check, CheckStatus} from '../../../src/report/check.js'

const check = (id: string, status: CheckStatus, fix?: string): Check => ({
  id,
  title: id,
  status,
  evidence: `${id} ${status}`,
  startedAt: '2026-11-25T00:00:00.000Z',
  durationMs: 1,
  ...(status === 'fail' && {failure: 'failed' as const}),
  ...(fix !== undefined && {fix}),
})

const field = [
  check('lan.whip', 'pass'),
  check('tailscale.up', 'skip'),
  check('turn.configured', 'fail', 'r58 mediamtx configure --turn turn:turn.example:3478 --write'),
  check('turn.relay-only', 'skip'),
  check('calls.credentials', 'pass'),
  check('calls.relay.health', 'fail', 'r58 relay start'),
  check('host.rmem', 'warn'),
]

describe('guestOptions', () => {
  it('derives each option from its own checks; skip only when all were skipped', () => {
    const options = Object.fromEntries(guestOptions(field).map((o) => [o.id, o]))
    expect(options['lan']).toMatchObject({status: 'pass', remote: false, checks: ['lan.whip']})
    expect(options['tailscale']).toMatchObject({status: 'skip', remote: true, evidence: 'tailscale.up skip'})
    expect(options['turn']).toMatchObject({status: 'fail', fix: expect.stringContaining('mediamtx configure --turn')})
    expect(options['calls']).toMatchObject({
      status: 'fail',
      fix: 'r58 relay start',
      evidence: 'calls.relay.health fail',
    })
  })

  it.each([
    {statuses: ['pass', 'unknown'], want: 'unknown'},
    {statuses: ['fail', 'unknown'], want: 'fail'},
    {statuses: ['pass', 'cancelled', 'unknown'], want: 'cancelled'},
    {statuses: ['skip', 'unknown'], want: 'unknown'},
    {statuses: ['warn', 'pass'], want: 'warn'},
  ] as const)(
    'an option of $statuses is $want: out of time or cancelled never passes nor fails it',
    ({statuses, want}) => {
      const turn = guestOptions(statuses.map((status, i) => check(`turn.c${i}`, status))).find((o) => o.id === 'turn')
      expect(turn?.status).toBe(want)
    },
  )

  it('has five options, the forwarded UDP port among the remote ones', () => {
    const options = guestOptions([check('forward.relay-only', 'pass')])
    expect(options.map((o) => o.id)).toEqual(['lan', 'tailscale', 'turn', 'forward', 'calls'])
    expect(options.find((o) => o.id === 'forward')).toMatchObject({status: 'pass', remote: true})
    expect(recommend(options).option).toBe('forward')
    expect(diagnoseExitCode(options)).toBe(0)
  })

  it('a forwarded port advertised but not tried from outside the NAT is not checked, never passed', () => {
    const forward = guestOptions([
      check('forward.public-address', 'pass'),
      check('forward.advertised', 'pass'),
      {...check('forward.relay-only', 'skip'), evidence: 'not tried: no TURN server to test with'},
    ]).find((o) => o.id === 'forward')
    expect(forward).toMatchObject({status: 'skip', evidence: 'not tried: no TURN server to test with'})
  })

  it('marks an option without checks as not checked', () => {
    expect(guestOptions([]).every((o) => o.status === 'skip' && o.evidence === 'not checked')).toBe(true)
  })
})

describe('recommend and exit code', () => {
  const withStatus = (statuses: Partial<Record<OptionId, CheckStatus>>) =>
    guestOptions(
      Object.entries(statuses).map(([id, status]) =>
        check(`${id}.x`, status as CheckStatus, status === 'fail' ? `fix ${id}` : undefined),
      ),
    )

  it.each([
    {statuses: {lan: 'pass', turn: 'pass', calls: 'pass'}, option: 'turn', exit: 0},
    {statuses: {lan: 'pass', turn: 'fail', calls: 'pass'}, option: 'calls', exit: 0},
    {statuses: {lan: 'pass', tailscale: 'pass', turn: 'fail', calls: 'fail'}, option: 'tailscale', exit: 0},
    {statuses: {lan: 'pass', turn: 'fail', calls: 'fail'}, option: null, exit: 3},
    {statuses: {lan: 'pass'}, option: null, exit: 3},
    {statuses: {lan: 'pass', turn: 'unknown', calls: 'unknown'}, option: null, exit: 3},
    {statuses: {lan: 'pass', forward: 'pass', calls: 'pass'}, option: 'forward', exit: 0},
    {statuses: {}, option: null, exit: 3},
  ] as const)('$statuses → $option, exit $exit', ({statuses, option, exit}) => {
    const options = withStatus(statuses)
    expect(recommend(options).option).toBe(option)
    expect(diagnoseExitCode(options)).toBe(exit)
  })

  it('says which options ran out of time instead of calling them failed', () => {
    const rec = recommend(withStatus({lan: 'pass', turn: 'unknown', calls: 'fail'}))
    expect(rec.text).toContain('Not decided, out of time (raise --timeout): turn.')
  })

  it('leads with "MediaMTX is not reachable" and recommends nothing else when it is', () => {
    const options = guestOptions([
      {
        ...check('lan.whip', 'fail', 'Start MediaMTX on the box, or give its WHIP address with --mediamtx-url.'),
        failure: 'unreachable',
      },
      check('turn.relay-only', 'fail', 'r58 mediamtx configure --turn x --write'),
      check('calls.relay.health', 'fail', 'r58 relay start'),
    ])
    const rec = recommend(options, {mediamtxUnreachable: 'MediaMTX is not reachable at http://127.0.0.1:1'})
    expect(rec).toEqual({
      option: null,
      text: 'MediaMTX is not reachable at http://127.0.0.1:1: no way in can be judged until it answers.',
      fix: 'Start MediaMTX on the box, or give its WHIP address with --mediamtx-url.',
    })
  })

  it('recommends nothing from a cancelled run', () => {
    const rec = recommend(withStatus({lan: 'pass', calls: 'pass'}), {cancelled: true})
    expect(rec.option).toBeNull()
    expect(rec.text).toMatch(/^Cancelled \(Ctrl-C\).*partial/)
  })

  it('names the smallest fix when nothing works for remote guests', () => {
    const rec = recommend(withStatus({lan: 'pass', turn: 'fail', calls: 'fail'}))
    expect(rec.text).toContain('Only guests on this LAN')
    expect(rec.fix).toBe('fix turn')
  })

  it.each([
    {require: ['lan'], statuses: {lan: 'pass', turn: 'fail'}, exit: 0},
    {require: ['lan', 'turn'], statuses: {lan: 'pass', turn: 'fail'}, exit: 3},
    {require: ['calls'], statuses: {calls: 'skip'}, exit: 3},
  ] as const)('--require $require with $statuses → $exit', ({require, statuses, exit}) => {
    expect(diagnoseExitCode(withStatus(statuses), require)).toBe(exit)
  })
})
