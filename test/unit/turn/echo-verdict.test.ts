import {describe, expect, it} from 'vitest'
import {checksOf, type TurnTargetResult} from '../../../src/turn/turn-probe.js'

const result = (transport: 'udp' | 'tcp', extra: Partial<TurnTargetResult>): TurnTargetResult =>
  ({
    url: `turn:turn.test:3478?transport=${transport}`,
    id: transport,
    transport,
    host: 'turn.test',
    port: 3478,
    outcome: 'ok',
    message: 'ok',
    relayedAddress: {address: '198.51.100.7', port: 50000},
    timings: {totalMs: 10},
    freed: true,
    ...extra,
  }) as TurnTargetResult

const lostEcho = (peerSource: 'binding' | 'allocation-mapped-address') => ({
  outcome: 'lost' as const,
  message: '0 of 5 echoes came back',
  peer: {address: '203.0.113.9', port: 40000},
  peerSource,
  sent: 5,
  received: 0,
  lossPercent: 100,
})

const echoOf = (results: TurnTargetResult[]) =>
  checksOf(results, '2026-12-07T00:00:00.000Z').find((c) => c.id === 'turn.echo.tcp')

describe('the TURN echo needs UDP from this host', () => {
  it('only TCP allocates and UDP gets no answer here: says so, not "a firewall may block the relay port range"', () => {
    const echo = echoOf([
      result('udp', {outcome: 'timeout', message: 'Allocate: no answer within 3000 ms'}),
      result('tcp', {echo: lostEcho('allocation-mapped-address')}),
    ])
    expect(echo?.status).toBe('warn')
    expect(echo?.evidence).toContain('the TCP allocation works, but the echo needs UDP between this host and the relay')
    expect(echo?.evidence).toContain('was not tested from here')
    expect(echo?.fix).not.toMatch(/firewall may block the relay port range/)
    expect(echo?.fix).toContain('turn:turn.test:3478?transport=tcp')
  })

  it('UDP works here and the echo is still lost: the relay ports are the suspect', () => {
    const echo = echoOf([result('udp', {}), result('tcp', {echo: lostEcho('binding')})])
    expect(echo?.status).toBe('fail')
    expect(echo?.fix).toMatch(/firewall may block the relay port range/)
  })
})
