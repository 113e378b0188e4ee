/** probeStun against a real coturn on loopback, with RFC 5780 on (listeners on 127.0.0.1 and 127.0.0.2). */
import {describe, expect, it} from 'vitest'
import {probeStun} from '../../../src/stun/stun-probe.js'
import {useCoturn} from '../../support/coturn.js'
import {closedPort} from '../../support/http-server.js'
import {expectNothingLeft, snapshot} from '../../support/resources.js'

const coturn = useCoturn({rfc5780: true})

describe('probeStun', () => {
  it('one server over UDP: mapped address, RTT over several requests, the local address', async () => {
    const before = snapshot()
    const report = await probeStun({urls: [coturn.lab.stunUrl], count: 4})
    expect(report).toMatchObject({ok: true, exitCode: 0})
    const [result] = report.results
    expect(result).toMatchObject({
      transport: 'udp',
      outcome: 'ok',
      sent: 4,
      received: 4,
      mapped: {address: '127.0.0.1'},
      local: {address: '127.0.0.1'},
      rttMs: {min: expect.any(Number), median: expect.any(Number), max: expect.any(Number)},
      software: expect.stringContaining('Coturn'),
    })
    expect(result?.mapped?.port).toBe(result?.local?.port)
    await expectNothingLeft(before)
  })

  it('uses RFC 5780 OTHER-ADDRESS when the server offers it: endpoint-independent on loopback', async () => {
    const report = await probeStun({urls: [coturn.lab.stunUrl], count: 2})
    expect(report.results[0]?.otherAddress).toEqual({address: '127.0.0.2', port: coturn.lab.ports.listening + 1})
    expect(report.mapping.observations.map((o) => o.via)).toEqual([
      coturn.lab.stunUrl,
      `OTHER-ADDRESS of ${coturn.lab.stunUrl}`,
      `OTHER-ADDRESS of ${coturn.lab.stunUrl}`,
    ])
    expect(report.mapping).toMatchObject({behaviour: 'endpoint-independent', nat: false})
    expect(report.mapping.verdict).toMatch(/^endpoint-independent mapping: direct UDP to a public peer should work/)
    expect(report.checks.find((c) => c.id === 'stun.mapping')).toMatchObject({status: 'pass'})
  })

  it('two servers seen from one socket: the same mapping', async () => {
    const report = await probeStun({urls: [coturn.lab.stunUrl, coturn.lab.altStunUrl as string], count: 2})
    const [a, b] = report.results
    expect(a?.mapped).toEqual(b?.mapped)
    expect(report.mapping.behaviour).toBe('endpoint-independent')
    expect(report.checks.map((c) => c.id)).toEqual(
      ['stun.binding.udp-1', 'stun.binding.udp-2', 'stun.mapping'].map((id) =>
        id.replace(/-(\d)$/, `-${coturn.lab.ports.listening}-$1`),
      ),
    )
  })

  it('over TCP with ?transport=tcp, and with --tcp for every UDP URL', async () => {
    const tcp = await probeStun({urls: [`${coturn.lab.stunUrl}?transport=tcp`], count: 2})
    expect(tcp.results[0]).toMatchObject({transport: 'tcp', outcome: 'ok', received: 2, mapped: {address: '127.0.0.1'}})
    expect(tcp.checks.find((c) => c.id === 'stun.mapping')?.status).toBe('skip')
    const both = await probeStun({urls: [coturn.lab.stunUrl], count: 2, tcp: true})
    expect(both.results.map((r) => [r.transport, r.outcome])).toEqual([
      ['udp', 'ok'],
      ['tcp', 'ok'],
    ])
  })

  it('over TLS (stuns:) with the lab certificate', async () => {
    const report = await probeStun({
      urls: [`stuns:127.0.0.1:${coturn.lab.ports.tls}`],
      count: 1,
      tls: {ca: coturn.lab.certificate.cert},
    })
    expect(report.results[0]).toMatchObject({transport: 'tls', outcome: 'ok', tls: {authorized: true}})
  })

  it('a server that does not answer: timeout at stun-response, exit 4, the other still reported', async () => {
    const port = await closedPort()
    const before = snapshot()
    const report = await probeStun({urls: [coturn.lab.stunUrl, `stun:127.0.0.1:${port}`], count: 2, timeoutMs: 300})
    expect(report.exitCode).toBe(4)
    expect(report.results.map((r) => [r.outcome, r.step])).toEqual([
      ['ok', undefined],
      ['timeout', 'stun-response'],
    ])
    expect(report.results[1]?.message).toContain('no STUN answer')
    await expectNothingLeft(before)
  })

  it('a closed TCP port: unreachable at tcp-connect', async () => {
    const port = await closedPort()
    const report = await probeStun({urls: [`stun:127.0.0.1:${port}?transport=tcp`]})
    expect(report.results[0]).toMatchObject({outcome: 'unreachable', step: 'tcp-connect'})
    expect(report.exitCode).toBe(4)
  })

  it('rejects a bad URL before sending anything', async () => {
    await expect(probeStun({urls: ['stun:127.0.0.1']})).rejects.toMatchObject({
      code: 'E_USAGE',
      text: expect.stringContaining('has no port'),
    })
  })
})
