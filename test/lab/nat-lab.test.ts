import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LAB_ADDRESSES} from '../../src/sim/lab/netns/topology.js'
import {runScenario, useNatLab} from './support/lab-suite.js'
import {
  PUBLIC_WHIP,
  RELAY_PORT,
  SESSION_PORT_SPAN,
  TURN_PASSWORD,
  TURN_TCP,
  TURN_UDP,
  TURN_USER,
  UDP_PORT,
  WHIP_PORT,
} from './support/nat-lab.js'
import {fromChromium, fromStandin} from './support/scenario.js'

const BOX_API = ['--mediamtx-url', `http://127.0.0.1:${WHIP_PORT}`, '--mediamtx-api-url', 'http://127.0.0.1:9997']
const TURN_ENV = {R58_TURN_CREDENTIAL: TURN_PASSWORD}
const PROBE = ['--duration', '1s', '--timeout', '6s']

describe('NAT lab, port-restricted box NAT', () => {
  const ctx = useNatLab({boxNat: 'port-restricted'})
  let reloads = 0
  /** Runs r58 mediamtx configure … --write on the box and waits until the stand-in has reloaded. */
  const configure = async (args: readonly string[]) => {
    const {lab} = ctx
    const run = await lab.r58(
      lab.net.names.box,
      ['mediamtx', 'configure', '-f', lab.configPath, ...args, '--write', '--json'],
      TURN_ENV,
    )
    expect(run.envelope.ok, JSON.stringify(run.envelope)).toBe(true)
    reloads += 1
    await lab.waitReloads(reloads, 15_000)
  }

  it('the original failure: only TCP forwarded, LAN host candidates only: remote guests fail, and r58 says so', async () => {
    const {lab} = ctx
    const row = await runScenario(lab, {
      id: '1-original-failure',
      title: 'Box behind NAT, only the WHIP TCP port forwarded, no TURN',
      guests: async () => {
        const [chromium, whipClient] = await Promise.all([
          lab.chromium({path: 'failure-chromium', iceServers: 'link'}),
          lab.whipClient({path: 'failure-whip-client', args: ['--follow-link']}),
        ])
        return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
      },
      probe: [PUBLIC_WHIP, '--path', 'failure-probe', ...PROBE],
      diagnose: {argv: [...BOX_API, '-f', lab.configPath], option: 'turn'},
    })
    expect(row.guests.chromium?.mediaFlowed).toBe(false)
    // No option serves remote guests: diagnose exits 3.
    expect(row.r58.diagnose.exitCode).toBe(3)
  })

  it('Tailscale: a guest on the tailnet reaches the box’s 100.x address directly', async () => {
    const {lab} = ctx
    lab.net.setTailnet(true)
    try {
      const tailnetWhip = `http://${LAB_ADDRESSES.boxTailnet}:${WHIP_PORT}`
      const row = await runScenario(lab, {
        id: '2-tailscale',
        title: 'Guest on the tailnet (100.64.0.0/10 link), box advertises its tailnet address',
        guests: async () => {
          const [chromium, whipClient] = await Promise.all([
            lab.chromium({
              path: 'tailnet-chromium',
              iceServers: 'link',
              whipUrl: `${tailnetWhip}/tailnet-chromium/whip`,
            }),
            lab.whipClient({path: 'tailnet-whip-client', baseUrl: tailnetWhip}),
          ])
          return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
        },
        probe: [tailnetWhip, '--path', 'tailnet-probe', ...PROBE],
        diagnose: {argv: [...BOX_API, '-f', lab.configPath], option: 'tailscale'},
      })
      expect(row.r58.probe.boxEnd).toBe(`host ${LAB_ADDRESSES.boxTailnet}/udp`)
    } finally {
      lab.net.setTailnet(false)
    }
  })

  it('TURN on MediaMTX, applied with `r58 mediamtx configure --turn … --write`: remote guests succeed via the relay', async () => {
    const {lab} = ctx
    await configure(['--turn', TURN_UDP, '--turn-username', TURN_USER])
    const row = await runScenario(lab, {
      id: '3-turn-on-mediamtx',
      title: 'TURN on MediaMTX (webrtcICEServers2, written by r58 mediamtx configure)',
      guests: async () => {
        const [chromium, whipClient] = await Promise.all([
          lab.chromium({path: 'turn-chromium', iceServers: 'link'}),
          lab.whipClient({path: 'turn-whip-client', args: ['--follow-link']}),
        ])
        return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
      },
      probe: [PUBLIC_WHIP, '--path', 'turn-probe', ...PROBE],
      diagnose: {argv: [...BOX_API, '-f', lab.configPath], option: 'turn'},
      env: TURN_ENV,
    })
    expect(row.r58.probe.boxEnd).toBe(`relay ${LAB_ADDRESSES.internet}/udp`)
  })

  it('a guest whose UDP is all dropped publishes with TURN over TCP, and r58 says which transport carried it', async () => {
    const {lab} = ctx
    lab.net.setGuestUdp('blocked')
    try {
      const turnTcp = [{urls: TURN_TCP, username: TURN_USER, credential: TURN_PASSWORD}]
      const row = await runScenario(lab, {
        id: '4-udp-blocked-guest',
        title: 'Guest with all UDP dropped, TURN over TCP only (box has TURN)',
        guests: async () => {
          const [chromium, whipClient] = await Promise.all([
            lab.chromium({path: 'tcp-chromium', iceServers: turnTcp}),
            lab.whipClient({
              path: 'tcp-whip-client',
              args: [
                '--turn-server',
                `turn://${TURN_USER}:${TURN_PASSWORD}@${LAB_ADDRESSES.internet}:3478?transport=tcp`,
              ],
            }),
          ])
          return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
        },
        probe: [PUBLIC_WHIP, '--path', 'tcp-probe', '--ice-server', TURN_TCP, '--ice-username', TURN_USER, ...PROBE],
        diagnose: {argv: [...BOX_API, '-f', lab.configPath], option: 'turn'},
        env: {R58_TURN_CREDENTIAL: TURN_PASSWORD},
      })
      // The guest's own end: a relay reached over TCP, for Chromium and for r58's probe alike.
      expect(row.guests.chromium?.guestEnd).toBe('relay over tcp')
      expect(row.r58.probe.guestEnd).toBe('relay over tcp')
    } finally {
      lab.net.setGuestUdp('open')
    }
  })

  it('a guest whose UDP goes only to the TURN server publishes through TURN/UDP', async () => {
    const {lab} = ctx
    lab.net.setGuestUdp('turn-only', [{address: LAB_ADDRESSES.internet, port: 3478}])
    try {
      const turnUdp = [{urls: TURN_UDP, username: TURN_USER, credential: TURN_PASSWORD}]
      const row = await runScenario(lab, {
        id: '4b-udp-only-to-turn',
        title: 'Guest with UDP dropped except to the TURN server (box has TURN)',
        guests: async () => {
          const [chromium, whipClient] = await Promise.all([
            lab.chromium({path: 'turnonly-chromium', iceServers: turnUdp}),
            lab.whipClient({
              path: 'turnonly-whip-client',
              args: [
                '--turn-server',
                `turn://${TURN_USER}:${TURN_PASSWORD}@${LAB_ADDRESSES.internet}:3478?transport=udp`,
              ],
            }),
          ])
          return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
        },
        probe: [
          PUBLIC_WHIP,
          '--path',
          'turnonly-probe',
          '--ice-server',
          TURN_UDP,
          '--ice-username',
          TURN_USER,
          ...PROBE,
        ],
        diagnose: {argv: [...BOX_API, '-f', lab.configPath], option: 'turn'},
        env: TURN_ENV,
      })
      expect(row.guests.chromium?.guestEnd).toBe('relay over udp')
      expect(row.r58.probe.guestEnd).toBe('relay over udp')
    } finally {
      lab.net.setGuestUdp('open')
    }
  })

  it('a public address with a forwarded UDP port: STUN finds it, MediaMTX advertises it, guests reach it', async () => {
    const {lab} = ctx
    // The engineer forwards the UDP port (the stand-in's session span, see src/sim/mediamtx/network.ts) and advertises
    // the public address; the TURN servers of the previous scenario are removed from MediaMTX.
    lab.net.forwardUdp([UDP_PORT, UDP_PORT + SESSION_PORT_SPAN - 1])
    await configure(['--remove-ice-server', TURN_UDP, '--add-host', LAB_ADDRESSES.boxPublic])
    try {
      const row = await runScenario(lab, {
        id: '5-forwarded-udp-port',
        title: 'Public address advertised (webrtcAdditionalHosts), UDP port forwarded, no TURN on MediaMTX',
        guests: async () => {
          const [chromium, whipClient] = await Promise.all([
            lab.chromium({path: 'forward-chromium', iceServers: 'link'}),
            lab.whipClient({path: 'forward-whip-client'}),
          ])
          return {chromium: fromChromium(chromium), whipClient: fromStandin(whipClient)}
        },
        probe: [PUBLIC_WHIP, '--path', 'forward-probe', ...PROBE],
        diagnose: {
          argv: [...BOX_API, '-f', lab.configPath, '--turn-urls', TURN_UDP, '--turn-username', TURN_USER],
          option: 'forward',
        },
        env: TURN_ENV,
      })
      expect(row.r58.probe.boxEnd).toBe(`host ${LAB_ADDRESSES.boxPublic}/udp`)
    } finally {
      lab.net.forwardUdp(null)
    }
  })

  it('the Calls relay: guests publish to the relay over the forwarded TCP port, media goes through the emulator', async () => {
    const {lab} = ctx
    const secretFile = join(lab.dir, 'calls-secret')
    const tokenFile = join(lab.dir, 'relay-token')
    writeFileSync(secretFile, 'lab-calls-secret-0123456789', {mode: 0o600})
    writeFileSync(tokenFile, 'lab-relay-token-0123456789', {mode: 0o600})
    const emulator = lab.r58Process(lab.net.names.internet, 'calls emulate', [
      ...['calls', 'emulate', '--listen', `${LAB_ADDRESSES.internet}:8787`, '--media-address', LAB_ADDRESSES.internet],
      ...['--app-id', 'lab', '--app-secret-file', secretFile, '--json'],
    ])
    const relay = lab.r58Process(lab.net.names.box, 'relay start', [
      ...['relay', 'start', '--listen', `0.0.0.0:${RELAY_PORT}`, '--mediamtx', `http://127.0.0.1:${WHIP_PORT}`],
      ...['--calls-app-id', 'lab', '--calls-app-secret-file', secretFile],
      ...['--calls-api-base', `http://${LAB_ADDRESSES.internet}:8787/v1`, '--relay-token-file', tokenFile],
      ...['--stun-urls', `stun:${LAB_ADDRESSES.internet}:3478`, '--json'],
    ])
    await Promise.all([
      emulator.waitForLine((l) => l.includes('8787'), 60_000, 'the Calls emulator listening'),
      relay.waitForLine((l) => l.includes(String(RELAY_PORT)), 60_000, 'the relay listening'),
    ])
    const relayWhip = `http://${LAB_ADDRESSES.boxPublic}:${RELAY_PORT}/whip`
    const token = 'lab-relay-token-0123456789'
    const row = await runScenario(lab, {
      id: '6-calls-relay',
      title: 'Calls relay: guest → relay (forwarded TCP) → Calls emulator → relay pulls into MediaMTX',
      guests: async () => {
        // Chromium keeps publishing until the relay has published its media into the stand-in (or given up).
        const arrived = lab.standinOutcome('calls-chromium', 60_000)
        const [chromium, whipClient] = await Promise.all([
          lab.chromium({
            path: 'calls-chromium',
            iceServers: [],
            whipUrl: `${relayWhip}/calls-chromium`,
            token,
            until: arrived,
          }),
          lab.whipClient({path: 'calls-whip-client', url: `${relayWhip}/calls-whip-client`, args: ['--token', token]}),
        ])
        const seen = fromChromium(chromium)
        const atBox = await arrived
        return {
          // Chromium's media reached the box only if the relay published it into the stand-in.
          chromium: {...seen, mediaFlowed: seen.mediaFlowed && atBox.mediaArrived},
          // simple-whip-client never bundles (webrtcbin bundle-policy none) and Calls requires BUNDLE: the relay
          // refuses its offer. Recorded, not compared: the relay's guests are browsers on its /join page.
          whipClient: {
            ...fromStandin(whipClient),
            boxEnd: null,
            guestEnd: null,
            ...(!whipClient.mediaArrived && {excluded: 'offers without BUNDLE, which Calls requires'}),
          },
        }
      },
      probe: [`${relayWhip}/calls-probe`, '--token', token, ...PROBE],
      diagnose: {
        argv: [
          ...BOX_API,
          ...['-f', lab.configPath, '--calls-app-id', 'lab', '--calls-app-secret-file', secretFile],
          ...['--calls-api-base', `http://${LAB_ADDRESSES.internet}:8787/v1`],
          ...['--relay-url', `http://127.0.0.1:${RELAY_PORT}`, '--relay-token-file', tokenFile],
        ],
        option: 'calls',
      },
    })
    expect(row.r58.probe.boxEnd).toBe(`host ${LAB_ADDRESSES.internet}/udp`)
  })
})
