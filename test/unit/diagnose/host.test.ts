import {describe, expect, it} from 'vitest'
import {checkHost} from '../../../src/diagnose/host.js'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const byId = async (inputs: Parameters<typeof checkHost>[0]) =>
  Object.fromEntries((await checkHost({now: () => NOW, ...inputs})).map((c) => [c.id, c]))

describe('checkHost', () => {
  it.each([
    {rmem: '212992', status: 'warn', fix: 'sysctl -w net.core.rmem_max=2500000'},
    {rmem: '2500000', status: 'pass', fix: undefined},
    {rmem: undefined, status: 'skip', fix: undefined},
  ])('rmem_max $rmem → $status', async ({rmem, status, fix}) => {
    const checks = await byId({readSysctl: async () => rmem, nodeVersion: '20.20.2'})
    expect(checks['host.rmem']?.status).toBe(status)
    if (fix) expect(checks['host.rmem']?.fix).toContain(fix)
  })

  it.each([
    ['20.20.2', 'pass'],
    ['22.1.0', 'pass'],
    ['20.18.0', 'fail'],
    ['18.19.0', 'fail'],
  ])('Node.js %s → %s', async (version, status) => {
    expect((await byId({readSysctl: async () => '2500000', nodeVersion: version}))['host.node']?.status).toBe(status)
  })

  it.each([
    {skewS: 0, status: 'pass'},
    {skewS: 20, status: 'pass'},
    {skewS: 120, status: 'warn'},
    {skewS: -120, status: 'warn'},
  ])('clock skew $skewS s → $status', async ({skewS, status}) => {
    const checks = await byId({
      readSysctl: async () => '2500000',
      remoteDate: {source: 'the Calls API', date: new Date(NOW - skewS * 1000), localAt: NOW},
    })
    expect(checks['host.clock']?.status).toBe(status)
  })

  it('fails an absurd clock without any remote', async () => {
    const checks = Object.fromEntries(
      (await checkHost({now: () => Date.parse('2001-01-01T00:00:00Z')})).map((c) => [c.id, c]),
    )
    expect(checks['host.clock']?.status).toBe('fail')
  })
})
