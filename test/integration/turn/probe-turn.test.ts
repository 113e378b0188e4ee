/**
 * probeTurn against a real coturn on loopback: every transport, and every failure the issue names.
 */
import {createSocket} from 'node:dgram'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeSelfSignedCertificate} from '../../../src/sim/lab/certificate.js'
import {type CoturnLab, startCoturn} from '../../../src/sim/lab/coturn.js'
import {probeTurn} from '../../../src/turn/turn-probe.js'
import {useCoturn} from '../../support/coturn.js'
import {closedPort} from '../../support/http-server.js'
import {expectNothingLeft, snapshot} from '../../support/resources.js'

const coturn = useCoturn()
const creds = () => ({
  username: coturn.lab.username,
  credential: coturn.lab.credential,
  tls: {ca: coturn.lab.certificate.cert},
})

describe('success', () => {
  it.each(['udp', 'tcp', 'tls'] as const)('over %s: allocates, echoes through the relay, frees', async (transport) => {
    const before = snapshot()
    const report = await probeTurn({urls: [coturn.lab.turnUrls[transport]], ...creds()})
    expect(report).toMatchObject({ok: true, exitCode: 0, source: 'options', username: coturn.lab.username})
    const [result] = report.results
    expect(result).toMatchObject({
      transport,
      outcome: 'ok',
      realm: 'r58.lab',
      software: expect.stringContaining('Coturn'),
      relayedAddress: {address: '127.0.0.1', port: expect.any(Number)},
      mappedAddress: {address: '127.0.0.1'},
      lifetimeSeconds: 600,
      rttMs: expect.any(Number),
      freed: true,
      echo: {outcome: 'ok', sent: 5, received: 5, lossPercent: 0, rttMs: {min: expect.any(Number)}},
    })
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      [`turn.allocate.${transport}`, 'pass'],
      [`turn.echo.${transport}`, 'pass'],
    ])
    if (transport === 'tls') expect(result?.tls).toMatchObject({authorized: true, insecure: false})
    await expectNothingLeft(before)
  })

  it('probes all three transports at once, each on its own', async () => {
    const report = await probeTurn({urls: Object.values(coturn.lab.turnUrls), ...creds()})
    expect(report.results.map((r) => [r.transport, r.outcome, r.echo?.outcome])).toEqual([
      ['udp', 'ok', 'ok'],
      ['tcp', 'ok', 'ok'],
      ['tls', 'ok', 'ok'],
    ])
    expect(report.exitCode).toBe(0)
  })

  it('learns the echo peer from a Binding request to the TURN server (UDP)', async () => {
    const report = await probeTurn({urls: [coturn.lab.turnUrls.udp], ...creds()})
    expect(report.results[0]?.echo?.peerSource).toBe('binding')
  })

  it('skips the data path with packets 0', async () => {
    const report = await probeTurn({urls: [coturn.lab.turnUrls.udp], ...creds(), packets: 0})
    expect(report.results[0]?.echo).toBeUndefined()
    expect(report.checks.map((c) => c.id)).toEqual(['turn.allocate.udp'])
  })
})

describe('credentials rejected', () => {
  it.each(['udp', 'tcp', 'tls'] as const)('over %s: auth-rejected, exit 5, nothing left open', async (transport) => {
    const before = snapshot()
    const report = await probeTurn({urls: [coturn.lab.turnUrls[transport]], ...creds(), credential: 'wrong'})
    expect(report).toMatchObject({ok: false, exitCode: 5})
    expect(report.results[0]).toMatchObject({
      outcome: 'auth-rejected',
      step: 'allocate',
      error: {code: 401, reason: 'Unauthorized'},
      message: 'credentials rejected (401 Unauthorized)',
    })
    expect(report.checks[0]).toMatchObject({id: `turn.allocate.${transport}`, status: 'fail', failure: 'auth'})
    await expectNothingLeft(before)
  })
})

describe('unreachable', () => {
  it.each([
    ['udp', 'turn', '?transport=udp', 'stun-response', /ICMP port unreachable/],
    ['tcp', 'turn', '?transport=tcp', 'tcp-connect', /connection refused/],
    ['tls', 'turns', '', 'tcp-connect', /connection refused/],
  ])('closed port over %s: exit 4 at %s', async (_transport, scheme, query, step, message) => {
    const port = await closedPort()
    const before = snapshot()
    const report = await probeTurn({
      urls: [`${scheme}:127.0.0.1:${port}${query}`],
      username: 'u',
      credential: 'p',
      timeoutMs: 2000,
    })
    expect(report.exitCode).toBe(4)
    expect(report.results[0]).toMatchObject({
      outcome: 'unreachable',
      step,
      message: expect.stringMatching(message),
      freed: false,
    })
    expect(report.checks[0]).toMatchObject({status: 'fail', failure: 'unreachable'})
    await expectNothingLeft(before)
  })

  it('a UDP server that never answers: timeout, "no STUN answer", exit 4', async () => {
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    try {
      const before = snapshot()
      const report = await probeTurn({
        urls: [`turn:127.0.0.1:${silent.address().port}`],
        username: 'u',
        credential: 'p',
        timeoutMs: 300,
      })
      expect(report.exitCode).toBe(4)
      expect(report.results[0]).toMatchObject({
        outcome: 'timeout',
        step: 'stun-response',
        message: expect.stringContaining('no STUN answer'),
      })
      await expectNothingLeft(before)
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })

  it('an unknown host name fails at the DNS step', async () => {
    const report = await probeTurn({
      urls: ['turn:r58-no-such-host.invalid:3478'],
      username: 'u',
      credential: 'p',
      packets: 0,
      // The resolver is injected: a real lookup would send a query to this machine's DNS server.
      lookup: async (host) =>
        Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {code: 'ENOTFOUND'})),
    })
    expect(report.exitCode).toBe(4)
    expect(report.results[0]).toMatchObject({outcome: 'unreachable', step: 'dns'})
  })
})

describe('TLS certificates', () => {
  let other: CoturnLab
  beforeAll(async () => {
    other = await startCoturn({
      certificate: await makeSelfSignedCertificate({commonName: 'other.example', altNames: []}),
    })
  })
  afterAll(() => other.stop())

  it('a certificate for another name: tls-failed at the handshake, naming the mismatch, exit 4', async () => {
    const report = await probeTurn({
      urls: [other.turnUrls.tls],
      username: other.username,
      credential: other.credential,
      tls: {ca: other.certificate.cert},
    })
    expect(report.exitCode).toBe(4)
    const [result] = report.results
    expect(result).toMatchObject({outcome: 'tls-failed', step: 'tls-handshake'})
    expect(result?.message).toMatch(
      /certificate name mismatch: the certificate is for CN=other\.example .*not 127\.0\.0\.1/,
    )
  })

  it('a self-signed certificate without --ca is not trusted', async () => {
    const report = await probeTurn({
      urls: [coturn.lab.turnUrls.tls],
      username: coturn.lab.username,
      credential: coturn.lab.credential,
    })
    expect(report.exitCode).toBe(4)
    expect(report.results[0]).toMatchObject({outcome: 'tls-failed', message: expect.stringContaining('not trusted')})
    expect(report.checks[0]?.fix).toContain('--ca')
  })

  it('--insecure accepts it, and says so', async () => {
    const report = await probeTurn({
      urls: [other.turnUrls.tls],
      username: other.username,
      credential: other.credential,
      tls: {insecure: true},
    })
    expect(report.exitCode).toBe(0)
    expect(report.results[0]?.tls).toMatchObject({authorized: false, insecure: true})
    expect(report.warnings.join(' ')).toContain('--insecure')
  })
})

describe('mixed list', () => {
  it('reports the transport that works and the one that does not', async () => {
    const port = await closedPort()
    const report = await probeTurn({
      urls: [coturn.lab.turnUrls.tcp, `turn:127.0.0.1:${port}?transport=udp`],
      ...creds(),
    })
    expect(report.results.map((r) => [r.transport, r.outcome])).toEqual([
      ['tcp', 'ok'],
      ['udp', 'unreachable'],
    ])
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['turn.allocate.tcp', 'pass'],
      ['turn.echo.tcp', 'pass'],
      ['turn.allocate.udp', 'fail'],
    ])
    expect(report.exitCode).toBe(4)
  })

  it('exit code: rejected credentials win over an unreachable server', async () => {
    const port = await closedPort()
    const report = await probeTurn({
      urls: [coturn.lab.turnUrls.udp, `turn:127.0.0.1:${port}?transport=tcp`],
      ...creds(),
      credential: 'wrong',
    })
    expect(report.results.map((r) => r.outcome)).toEqual(['auth-rejected', 'unreachable'])
    expect(report.exitCode).toBe(5)
  })
})

describe('usage errors, before any packet', () => {
  it.each([
    ['turn:127.0.0.1', 'has no port'],
    ['turn:127.0.0.1:3478?transport=sctp', 'unknown transport'],
    ['stun:127.0.0.1:3478', 'is a stun: URL'],
  ])('%s', async (url, reason) => {
    await expect(probeTurn({urls: [url], username: 'u', credential: 'p'})).rejects.toMatchObject({
      code: 'E_USAGE',
      text: expect.stringContaining(reason),
    })
  })

  it('needs a credential', async () => {
    await expect(probeTurn({urls: [coturn.lab.turnUrls.udp], username: 'u'})).rejects.toMatchObject({code: 'E_USAGE'})
  })
})
