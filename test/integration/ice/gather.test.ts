/** gatherCandidates (werift) against a real coturn on loopback. */
import {describe, expect, it} from 'vitest'
import {gatherCandidates} from '../../../src/ice/gather.js'
import {useCoturn} from '../../support/coturn.js'
import {expectNothingLeft, snapshot} from '../../support/resources.js'

const coturn = useCoturn()
const turn = (url: string, credential = coturn.lab.credential) => ({
  urls: url,
  username: coturn.lab.username,
  credential,
})

describe('gatherCandidates', () => {
  it('relay candidates over UDP, TCP and TLS with good credentials, one peer connection per URL', async () => {
    const before = snapshot()
    const report = await gatherCandidates({
      iceServers: [turn(coturn.lab.turnUrls.udp), turn(coturn.lab.turnUrls.tcp), turn(coturn.lab.turnUrls.tls)],
      relayOnly: true,
      timeoutMs: 5000,
      tls: {ca: coturn.lab.certificate.cert},
    })
    expect(report.candidates.map((c) => [c.type, c.relayProtocol, c.address])).toEqual(
      expect.arrayContaining([
        ['relay', 'udp', '127.0.0.1'],
        ['relay', 'tcp', '127.0.0.1'],
        ['relay', 'tls', '127.0.0.1'],
      ]),
    )
    expect(report.summary).toMatchObject({host: 0, srflx: 0, relay: 3})
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['ice.host', 'skip'],
      ['ice.relay.udp', 'pass'],
      ['ice.relay.tcp', 'pass'],
      ['ice.relay.tls', 'pass'],
    ])
    expect(report).toMatchObject({ok: true, exitCode: 0, complete: true, warnings: []})
    for (const candidate of report.candidates) expect(candidate.elapsedMs).toBeGreaterThanOrEqual(0)
    await expectNothingLeft(before)
  })

  it('host and server-reflexive candidates from a STUN server', async () => {
    const report = await gatherCandidates({iceServers: [{urls: coturn.lab.stunUrl}], timeoutMs: 5000})
    expect(report.summary.srflx).toBeGreaterThan(0)
    expect(report.candidates.find((c) => c.type === 'srflx')).toMatchObject({url: coturn.lab.stunUrl, protocol: 'udp'})
    expect(report.checks.find((c) => c.id === 'ice.srflx.udp')?.status).toBe('pass')
  })

  it('wrong credentials: no relay candidate, the warning, exit 3, and nothing left behind', async () => {
    const before = snapshot()
    const report = await gatherCandidates({
      iceServers: [turn(coturn.lab.turnUrls.udp, 'wrong')],
      relayOnly: true,
      timeoutMs: 800,
    })
    expect(report.summary.relay).toBe(0)
    expect(report.complete).toBe(false)
    expect(report.warnings).toEqual([
      `no relay candidate: TURN unreachable or credentials rejected — run \`r58 probe turn ${coturn.lab.turnUrls.udp}\` (${coturn.lab.turnUrls.udp})`,
    ])
    expect(report.checks.find((c) => c.id === 'ice.relay.udp')).toMatchObject({status: 'fail', failure: 'failed'})
    expect(report.exitCode).toBe(3)
    await expectNothingLeft(before)
  })

  it('no ICE servers: host candidates only, and werift contacts nobody', async () => {
    const report = await gatherCandidates({iceServers: [], timeoutMs: 3000})
    expect(report.candidates.every((c) => c.type === 'host' && c.url === null)).toBe(true)
    expect(report.servers).toEqual([expect.objectContaining({url: null, kind: null})])
  })

  it.each([
    [{iceServers: [{urls: 'turn:127.0.0.1'}]}, 'has no port'],
    [{iceServers: [{urls: 'turn:127.0.0.1:3478'}]}, 'needs a TURN user name and credential'],
    [{iceServers: [{urls: 'stun:127.0.0.1:3478'}], relayOnly: true}, '--relay-only needs a TURN URL'],
  ])('usage error %#: %s', async (options, message) => {
    await expect(gatherCandidates(options)).rejects.toMatchObject({
      code: 'E_USAGE',
      text: expect.stringContaining(message),
    })
  })
})
