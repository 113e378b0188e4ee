/**
 * The NAT lab with a symmetric box NAT (MASQUERADE --random-fully: every new destination gets a fresh random
 * source port, so the box's server-reflexive address is useless to anyone else). Its own lab: the NAT kind is
 * fixed when the routers are built, and conntrack keeps old mappings. TURN on MediaMTX still works, because
 * the box reaches the TURN server first and guests send to the relay address: r58 must say so.
 */
import {describe, expect, it} from 'vitest'
import {LAB_ADDRESSES} from '../../src/sim/lab/netns/topology.js'
import {runScenario, useNatLab} from './support/lab-suite.js'
import {PUBLIC_WHIP, TURN_PASSWORD, TURN_UDP, TURN_USER, WHIP_PORT} from './support/nat-lab.js'
import {fromChromium, fromStandin} from './support/scenario.js'

const TURN_ENV = {R58_TURN_CREDENTIAL: TURN_PASSWORD}

describe('NAT lab, symmetric box NAT', () => {
  const ctx = useNatLab({boxNat: 'symmetric'})

  it('TURN on MediaMTX behind a symmetric NAT: remote guests succeed via the relay, and r58 says so', async () => {
    const {lab} = ctx
    const configured = await lab.r58(
      lab.net.names.box,
      [
        'mediamtx',
        'configure',
        '-f',
        lab.configPath,
        '--turn',
        TURN_UDP,
        '--turn-username',
        TURN_USER,
        '--write',
        '--json',
      ],
      TURN_ENV,
    )
    expect(configured.exitCode).toBe(0)
    await lab.waitReloads(1, 15_000)
    const row = await runScenario(lab, {
      id: '3b-turn-symmetric-nat',
      title: 'TURN on MediaMTX, box behind a symmetric NAT (MASQUERADE --random-fully)',
      guests: async () => {
        const [chromium, whipClient] = await Promise.all([
          lab.chromium({path: 'symmetric-chromium', iceServers: 'link'}),
          lab.whipClient({path: 'symmetric-whip-client', args: ['--follow-link']}),
        ])
        return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
      },
      probe: [PUBLIC_WHIP, '--path', 'symmetric-probe', '--duration', '1s', '--timeout', '6s'],
      diagnose: {
        argv: ['--mediamtx-url', `http://127.0.0.1:${WHIP_PORT}`, '--mediamtx-api-url', 'http://127.0.0.1:9997'],
        option: 'turn',
      },
      env: TURN_ENV,
    })
    expect(row.r58.probe.boxEnd).toBe(`relay ${LAB_ADDRESSES.internet}/udp`)
  })
})
