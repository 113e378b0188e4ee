/**
 * `diagnose` against local stacks on loopback, in the configurations a studio box is found in. Every part is
 * real (werift peers, coturn, the Calls emulator, the MediaMTX stand-in, the relay); nothing is sent beyond
 * loopback (the stand-in advertises its LAN address but never uses it).
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../../src/diagnose/diagnose.js'
import type {DiagnoseOptions, DiagnoseReport} from '../../../src/diagnose/diagnose-types.js'
import type {CoturnLab} from '../../../src/sim/lab/coturn.js'
import {startCoturn} from '../../../src/sim/lab/coturn.js'
import {type Lab, startLab} from '../../../src/sim/lab/lab.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import {requireTurnserver} from '../../support/coturn.js'
import {closedPort} from '../../support/http-server.js'
import {startStunAnswer} from '../../support/stun-answer.js'

const byId = (report: DiagnoseReport) => Object.fromEntries(report.checks.map((c) => [c.id, c]))
const option = (report: DiagnoseReport, id: string) => report.options.find((o) => o.id === id)

let lab: Lab
let report: DiagnoseReport

beforeAll(async () => {
  requireTurnserver()
  lab = await startLab()
  report = await diagnose(lab.diagnose)
})
afterAll(() => lab?.close())

describe('the lab: a box that advertises only its LAN address, no TURN, a relay through Calls', () => {
  it('passes the LAN, with the pair it observed', () => {
    expect(option(report, 'lan')).toMatchObject({status: 'pass'})
    expect(byId(report)['lan.whip']?.evidence).toMatch(/connected via host 127\.0\.0\.1:\d+\/udp ↔ host 127\.0\.0\.1/)
  })

  it('fails TURN on MediaMTX with the "only host candidates" explanation and a mediamtx configure fix', () => {
    const turn = option(report, 'turn')
    expect(turn?.status).toBe('fail')
    expect(byId(report)['turn.configured']?.evidence).toContain('advertises only host candidates')
    expect(byId(report)['turn.configured']?.evidence).toContain('192.168.1.58:8189/udp (lan)')
    expect(turn?.fix).toMatch(
      /^r58 mediamtx configure --file \S+ --turn 'turn:127\.0\.0\.1:\d+\?transport=udp' --turn-username \S+ --turn-credential-file \S+ --write$/,
    )
    // The remote guest's view is known from the answer: nothing in it is reachable from a TURN relay, so the
    // relay-only publish is not tried (no ICE timeout waited out), and says why.
    expect(byId(report)['turn.relay-only']).toMatchObject({status: 'skip'})
    expect(byId(report)['turn.relay-only']?.evidence).toMatch(
      /^not tried: MediaMTX’s answer offers no candidate a guest’s TURN relay can reach \(.*192\.168\.1\.58:8189\/udp \(lan\)/,
    )
  })

  it('has a fifth option, the forwarded UDP port, not checked in the lab (STUN sees only loopback)', () => {
    expect(option(report, 'forward')).toMatchObject({status: 'skip', remote: true})
    expect(byId(report)['forward.public-address']?.evidence).toMatch(/sees this box as 127\.0\.0\.1 \(this-host\)/)
    expect(report.cancelled).toBe(false)
  })

  it('skips Tailscale (the lab has no tailnet) instead of failing it', () => {
    expect(option(report, 'tailscale')).toMatchObject({status: 'skip'})
  })

  it('passes the Calls relay end to end and recommends it; exit 0', () => {
    expect(byId(report)['calls.credentials']?.status).toBe('pass')
    expect(byId(report)['calls.relay.e2e']?.evidence).toMatch(
      /MediaMTX path r58-probe-relay is ready with (VP8\+Opus|Opus\+VP8)/,
    )
    expect(report.recommendation.option).toBe('calls')
    expect(report.exitCode).toBe(0)
  })

  it('Ctrl-C: unfinished checks are "cancelled", never failed; the report says so; exit 130', async () => {
    const controller = new AbortController()
    const cancelled = await diagnose({
      ...lab.diagnose,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.id === 'lan.whip' && e.state === 'start') controller.abort(new Error('interrupted'))
      },
    })
    expect(cancelled.cancelled).toBe(true)
    expect(cancelled.exitCode).toBe(130)
    expect(cancelled.ok).toBe(false)
    expect(byId(cancelled)['lan.whip']?.status).toBe('cancelled')
    expect(cancelled.checks.filter((c) => c.status === 'fail')).toEqual([])
    expect(option(cancelled, 'lan')?.status).toBe('cancelled')
    expect(cancelled.recommendation).toMatchObject({option: null, text: expect.stringMatching(/^Cancelled/)})
  })

  it('out of time: a step cut short by --timeout is "unknown: out of time", never a failure', async () => {
    // 300 ms cannot hold a LAN publish (it sends 300 ms of media alone): the bound, not the path, ends it.
    const hurried = await diagnose({...lab.diagnose, timeoutMs: 300})
    expect(byId(hurried)['lan.whip']).toMatchObject({status: 'unknown'})
    expect(byId(hurried)['lan.whip']?.evidence).toMatch(/^out of time \(raise --timeout\)/)
    expect(byId(hurried)['lan.whip']?.failure).toBeUndefined()
    for (const check of hurried.checks.filter((c) => c.status === 'fail')) {
      expect(check.evidence, check.id).not.toMatch(/within \d+ ms|cancelled|timeout/i)
    }
    expect(option(hurried, 'lan')?.status).toBe('unknown')
    expect(hurried.cancelled).toBe(false)
  })

  it('exits 3 when --require names an option that does not work', async () => {
    expect(
      (await diagnose({...lab.diagnose, require: ['lan', 'turn'], relay: undefined, calls: undefined})).exitCode,
    ).toBe(3)
  })

  it('says "credentials rejected" for a wrong Calls secret', async () => {
    const wrong = await diagnose({
      ...lab.diagnose,
      turn: undefined,
      calls: {...(lab.diagnose.calls as NonNullable<DiagnoseOptions['calls']>), appSecret: 'not-the-secret'},
    })
    expect(byId(wrong)['calls.credentials']).toMatchObject({status: 'fail', failure: 'auth'})
    expect(byId(wrong)['calls.credentials']?.evidence).toMatch(/rejected|401/i)
  })

  it('fails the Calls option with `fix: r58 relay start` when no relay runs', async () => {
    const port = await closedPort()
    const noRelay = await diagnose({
      ...lab.diagnose,
      turn: undefined,
      relay: {url: `http://127.0.0.1:${port}`, token: 'relay-token-of-24-characters'},
    })
    expect(byId(noRelay)['calls.relay.health']).toMatchObject({status: 'fail', failure: 'unreachable'})
    expect(option(noRelay, 'calls')?.fix).toBe(`r58 relay start --relay-listen 127.0.0.1:${port}`)
    // Without a relay token, `relay start` would not run: what to set up first instead.
    const noToken = await diagnose({...lab.diagnose, turn: undefined, relay: {url: `http://127.0.0.1:${port}`}})
    expect(option(noToken, 'calls')?.fix).toMatch(/^The relay needs a token/)
    expect(byId(noRelay)['calls.relay.e2e']?.status).toBe('skip')
  })
})

describe('a box whose MediaMTX uses TURN itself', () => {
  let coturn: CoturnLab
  let mediamtx: MediamtxStandin
  let turnReport: DiagnoseReport

  beforeAll(async () => {
    // Relays on 127.0.0.2; 127.0.0.1 refused as a peer: a guest's relay reaches MediaMTX's relay, not its host.
    coturn = await startCoturn({
      relayIp: '127.0.0.2',
      extraConfig: ['denied-peer-ip=127.0.0.1', 'allowed-peer-ip=127.0.0.2'],
    })
    const dir = mkdtempSync(join(tmpdir(), 'r58-diag-'))
    const configPath = join(dir, 'mediamtx.yml')
    writeFileSync(
      configPath,
      [
        'webrtcLocalUDPAddress: :8189',
        'webrtcICEServers2:',
        `  - url: ${coturn.turnUrls.udp}`,
        `    username: ${coturn.username}`,
        `    password: ${coturn.credential}`,
        'paths:',
        '  all_others:',
        '',
      ].join('\n'),
    )
    mediamtx = await startMediamtxStandin({
      configPath,
      whipPort: 0,
      apiPort: 0,
      interfaces: [
        {name: 'lo', address: '127.0.0.1'},
        {name: 'eth0', address: '192.168.1.58'},
      ],
    })
    turnReport = await diagnose({
      mediamtx: {whipUrl: mediamtx.whipUrl, path: 'r58-probe', apiUrl: mediamtx.apiUrl ?? undefined},
      turn: {
        iceServers: [{urls: [coturn.turnUrls.udp], username: coturn.username, credential: coturn.credential}],
        source: 'test coturn',
      },
      via: ['this-host'],
      tailscale: {
        exec: async () => Promise.reject(Object.assign(new Error('none'), {code: 'ENOENT'})),
        interfaces: () => ({}),
      },
    })
  })
  afterAll(async () => {
    await mediamtx?.close()
    await coturn?.stop()
  })

  it('passes TURN on MediaMTX: relay candidates offered, relay-only publish connects; exit 0', () => {
    expect(byId(turnReport)['turn.configured']).toMatchObject({status: 'pass'})
    expect(byId(turnReport)['turn.configured']?.evidence).toContain('relay candidates')
    expect(byId(turnReport)['turn.relay-only']).toMatchObject({status: 'pass'})
    expect(byId(turnReport)['turn.relay-only']?.evidence).toMatch(/connected via relay .* ↔ relay 127\.0\.0\.2/)
    expect(turnReport.recommendation.option).toBe('turn')
    expect(turnReport.exitCode).toBe(0)
  })

  it('skips the Calls option when nothing is configured for it', () => {
    expect(byId(turnReport)['calls.credentials']).toMatchObject({status: 'skip'})
    expect(byId(turnReport)['calls.credentials']?.fix).toContain('--calls-app-id')
  })
})

const NO_TAILNET = {
  exec: async () => Promise.reject(Object.assign(new Error('none'), {code: 'ENOENT'})),
  interfaces: () => ({}),
}

function turnConfig(url: string, username: string, password: string): string {
  return [
    'webrtcLocalUDPAddress: :8189',
    'webrtcICEServers2:',
    `  - url: ${url}`,
    `    username: ${username}`,
    `    password: ${password}`,
    'paths:',
    '  all_others:',
    '',
  ].join('\n')
}

describe('TURN on MediaMTX: what is observed, every transport, which one carried the media', () => {
  let coturn: CoturnLab
  const standins: MediamtxStandin[] = []
  const startWith = async (configText: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-diag-'))
    const configPath = join(dir, 'mediamtx.yml')
    writeFileSync(configPath, configText)
    const standin = await startMediamtxStandin({
      configPath,
      whipPort: 0,
      apiPort: 0,
      interfaces: [
        {name: 'lo', address: '127.0.0.1'},
        {name: 'eth0', address: '192.168.1.58'},
      ],
    })
    standins.push(standin)
    return {standin, configPath}
  }

  beforeAll(async () => {
    coturn = await startCoturn({
      relayIp: '127.0.0.2',
      extraConfig: ['denied-peer-ip=127.0.0.1', 'allowed-peer-ip=127.0.0.2'],
    })
  })
  afterAll(async () => {
    for (const standin of standins) await standin.close()
    await coturn?.stop()
  })

  it('after the TURN fix, with an allocation that fails: says what it sees, never prescribes the same fix again', async () => {
    // Nothing listens on the configured TURN server: MediaMTX gets no allocation, quickly (TCP refused).
    const deadTurn = `turn:127.0.0.1:${await closedPort()}?transport=tcp`
    const {standin, configPath} = await startWith(turnConfig(deadTurn, 'box', 'password'))
    const seen = await diagnose({
      mediamtx: {whipUrl: standin.whipUrl, path: 'r58-probe', apiUrl: standin.apiUrl ?? undefined, configPath},
      turn: {
        iceServers: [{urls: [coturn.turnUrls.udp], username: coturn.username, credential: coturn.credential}],
        source: 'test coturn',
        configureArgs: ['--turn', coturn.turnUrls.udp],
      },
      via: ['this-host'],
      tailscale: NO_TAILNET,
    })
    const configured = byId(seen)['turn.configured']
    expect(configured?.status).toBe('fail')
    expect(configured?.evidence).toContain(`MediaMTX is configured with TURN ${deadTurn}`)
    expect(configured?.evidence).toContain('its answer has no relay candidate')
    expect(configured?.evidence).not.toContain('?)')
    expect(configured?.fix).toContain(`r58 probe turn '${deadTurn}' --turn-username box`)
    expect(byId(seen)['turn.relay-only']).toMatchObject({status: 'skip', evidence: expect.stringMatching(/^not tried/)})
    for (const check of seen.checks) expect(check.fix ?? '', check.id).not.toMatch(/mediamtx configure .*--turn/)
  })

  it('tests every TURN transport: UDP to TURN blocked, TCP works → says which carried the media, recommends TCP/TLS URLs', async () => {
    const {standin} = await startWith(turnConfig(coturn.turnUrls.udp, coturn.username, coturn.credential))
    // No UDP listener on coturn's TLS port (no DTLS): TURN/UDP there gets no answer; TURN/TCP works.
    const udpBlocked = `turn:127.0.0.1:${coturn.ports.tls}?transport=udp`
    const seen = await diagnose({
      mediamtx: {whipUrl: standin.whipUrl, path: 'r58-probe', apiUrl: standin.apiUrl ?? undefined},
      turn: {
        iceServers: [
          {urls: [udpBlocked, coturn.turnUrls.tcp], username: coturn.username, credential: coturn.credential},
        ],
        source: 'test coturn',
      },
      via: ['this-host'],
      tailscale: NO_TAILNET,
    })
    const relayOnly = byId(seen)['turn.relay-only']
    const transports = relayOnly?.data?.['transports'] as {
      url: string
      relayProtocol: string | null
      connected: boolean
    }[]
    expect(transports.map((t) => [t.url, t.connected, t.relayProtocol])).toEqual([
      [udpBlocked, false, null],
      [coturn.turnUrls.tcp, true, 'tcp'],
    ])
    expect(relayOnly?.status).toBe('warn')
    expect(relayOnly?.evidence).toMatch(/\(TURN\/TCP\) ↔ relay 127\.0\.0\.2/)
    expect(relayOnly?.fix).toContain('?transport=tcp')
    expect(relayOnly?.fix).toContain('turns:')
    expect(option(seen, 'turn')?.status).toBe('warn')
  })
})

describe('the fifth option: a public address with a forwarded UDP port', () => {
  // STUN (a loopback server standing in for one on the internet) says the box is 198.18.0.1, a public address
  // that nothing here ever sends to: the probes connect only through loopback (via this-host).
  const PUBLIC = '198.18.0.1'
  const run = async (extraConfig: string) => {
    const stun = await startStunAnswer({address: PUBLIC, port: 40000})
    const dir = mkdtempSync(join(tmpdir(), 'r58-diag-'))
    const configPath = join(dir, 'mediamtx.yml')
    writeFileSync(configPath, `webrtcLocalUDPAddress: :8189\n${extraConfig}paths:\n  all_others:\n`)
    const standin = await startMediamtxStandin({
      configPath,
      whipPort: 0,
      apiPort: 0,
      interfaces: [
        {name: 'lo', address: '127.0.0.1'},
        {name: 'eth0', address: '192.168.1.58'},
      ],
    })
    try {
      return await diagnose({
        mediamtx: {whipUrl: standin.whipUrl, path: 'r58-probe', apiUrl: standin.apiUrl ?? undefined, configPath},
        stun: {urls: [stun.url]},
        via: ['this-host'],
        tailscale: NO_TAILNET,
      })
    } finally {
      await standin.close()
      await stun.close()
    }
  }

  it('STUN finds the public address; MediaMTX does not advertise it: the fix adds it', async () => {
    const seen = await run('')
    expect(byId(seen)['forward.public-address']).toMatchObject({status: 'pass'})
    expect(byId(seen)['forward.public-address']?.evidence).toContain(`sees this box as ${PUBLIC}:40000`)
    expect(byId(seen)['forward.advertised']?.status).toBe('fail')
    expect(option(seen, 'forward')).toMatchObject({status: 'fail', remote: true})
    expect(option(seen, 'forward')?.fix).toMatch(
      new RegExp(`^r58 mediamtx configure --file \\S+ --add-host ${PUBLIC.replaceAll('.', '\\.')} --write$`),
    )
  })

  it('advertised (webrtcAdditionalHosts) but not proven from outside: not checked, and why', async () => {
    const seen = await run(`webrtcAdditionalHosts: [${PUBLIC}]\n`)
    expect(byId(seen)['forward.advertised']).toMatchObject({status: 'pass'})
    expect(byId(seen)['forward.relay-only']).toMatchObject({status: 'skip'})
    expect(option(seen, 'forward')?.status).toBe('skip')
    expect(byId(seen)['turn.configured']?.evidence).toContain('forwarded-port option')
  })
})

describe('nothing configured and nothing running', () => {
  it('answers every option with skip or fail and a fix, without crashing, within the bound', async () => {
    const port = await closedPort()
    const started = Date.now()
    const empty = await diagnose({
      mediamtx: {whipUrl: `http://127.0.0.1:${port}`, path: 'r58-probe', apiUrl: `http://127.0.0.1:${port}`},
      relay: {url: `http://127.0.0.1:${port}`},
      timeoutMs: 5000,
      tailscale: {
        exec: async () => Promise.reject(Object.assign(new Error('none'), {code: 'ENOENT'})),
        interfaces: () => ({}),
      },
    })
    expect(Date.now() - started).toBeLessThan(5000 + 4000) // the bound, with room for a loaded machine: not a timing claim
    for (const o of empty.options) {
      expect(['skip', 'fail']).toContain(o.status)
      expect(o.fix ?? o.evidence).toBeTruthy()
    }
    expect(byId(empty)['lan.whip']).toMatchObject({status: 'fail', failure: 'unreachable'})
    expect(option(empty, 'lan')?.fix).toMatch(/MediaMTX running|mediamtx-url|Is the server running/i)
    expect(empty.exitCode).toBe(3)
  })
})
