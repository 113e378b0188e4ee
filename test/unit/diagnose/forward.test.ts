import {describe, expect, it} from 'vitest'
import {advertisedOutcome, forwardedOutcome, publicAddressOutcome} from '../../../src/diagnose/public-address.js'
import type {StunProbeReport} from '../../../src/stun/stun-probe.js'

const stun = (mapped?: string): StunProbeReport =>
  ({
    results: [
      mapped
        ? {url: 'stun:stun.test:3478', outcome: 'ok', message: 'ok', mapped: {address: mapped, port: 40000}}
        : {url: 'stun:stun.test:3478', outcome: 'timeout', message: 'no answer within 1000 ms'},
    ],
  }) as unknown as StunProbeReport

const candidate = (address: string, port = 8189) => ({
  address,
  port,
  transport: 'udp' as const,
  label: `${address}:${port}/udp`,
})
const pair = (type: string, address: string) => ({
  local: {type: 'relay', transport: 'udp', address: '198.51.100.1', port: 50000},
  remote: {type, transport: 'udp', address, port: 8189},
  rttMs: 1,
})
const PUBLIC = {address: '8.8.8.8', via: 'stun:stun.test:3478'}
const fix = (address: string) => `r58 mediamtx configure --file /etc/mediamtx.yml --add-host ${address} --write`

describe('the forwarded UDP port option', () => {
  it.each([
    {report: stun('8.8.8.8'), status: 'pass', evidence: /sees this box as 8\.8\.8\.8:40000/},
    {report: stun('192.168.1.1'), status: 'skip', evidence: /192\.168\.1\.1 \(lan\), not a public address/},
    {report: stun(), status: 'skip', evidence: /^not checked: no STUN answer/},
    {report: undefined, status: 'skip', evidence: /no STUN or TURN server/},
  ])('public address: $status', ({report, status, evidence}) => {
    const {outcome} = publicAddressOutcome(report, report ? ['stun:stun.test:3478'] : [])
    expect(outcome.status).toBe(status)
    expect(outcome.evidence).toMatch(evidence)
  })

  it('advertised: the fix adds the public address, and the evidence names the port to forward', () => {
    const outcome = advertisedOutcome(PUBLIC, [candidate('192.168.1.58')], fix)
    expect(outcome).toMatchObject({status: 'fail', fix: fix('8.8.8.8')})
    expect(outcome.evidence).toContain('the router must forward UDP 8189 to this box')
    expect(advertisedOutcome(PUBLIC, [candidate('192.168.1.58'), candidate('8.8.8.8')], fix).status).toBe('pass')
    expect(advertisedOutcome(undefined, [candidate('192.168.1.58')], fix).status).toBe('skip')
  })

  it.each([
    {run: {ran: true, connected: true, pair: pair('host', '8.8.8.8'), evidence: ''}, status: 'pass'},
    {run: {ran: true, connected: true, pair: pair('relay', '198.51.100.9'), evidence: ''}, status: 'skip'},
    {run: {ran: true, connected: false, pair: null, evidence: 'ICE: no answer'}, status: 'fail'},
    {run: {ran: false, connected: false, pair: null, evidence: 'no TURN server to test with'}, status: 'skip'},
  ])('a relay-only guest (outside the NAT): $status', ({run, status}) => {
    const outcome = forwardedOutcome(PUBLIC, true, run)
    expect(outcome.status).toBe(status)
    if (status === 'fail') expect(outcome.evidence).toContain('does not forward the UDP port')
  })
})
