/**
 * r58 probe stun | turn | ice from the command line: exit codes, human tables and --json, against a real
 * coturn on loopback.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeSelfSignedCertificate} from '../../src/sim/lab/certificate.js'
import {type CoturnLab, startCoturn} from '../../src/sim/lab/coturn.js'
import {runR58} from '../support/cli.js'
import {requireTurnserver, useCoturn} from '../support/coturn.js'
import {closedPort} from '../support/http-server.js'
import {startTurnApiFor, type TurnApiStandin} from '../support/turn-api.js'

const coturn = useCoturn()
const dir = mkdtempSync(join(tmpdir(), 'r58-probe-cli-'))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text, {mode: 0o600})
  return path
}
const auth = () => [
  '--turn-username',
  coturn.lab.username,
  '--turn-credential-file',
  file('password', `${coturn.lab.credential}\n`),
]
const ca = () => ['--ca', coturn.lab.certificate.certPath]

describe('probe turn', () => {
  it.each(['udp', 'tcp', 'tls'] as const)('%s: exit 0, a ✓ row with the relayed address', async (transport) => {
    const out = await runR58(['probe', 'turn', coturn.lab.turnUrls[transport], ...auth(), ...ca()])
    expect(out.exitCode, out.stdout).toBe(0)
    expect(out.stderr).toBe('')
    const row = out.stdout.split('\n').find((line) => line.includes(coturn.lab.turnUrls[transport]))
    expect(row).toMatch(new RegExp(`^\\s+✓\\s+\\S+\\s+${transport}\\s+ok\\s+127\\.0\\.0\\.1:\\d+\\s+[\\d.]+ ms\\s+5/5`))
    expect(out.stdout).toContain('1/1 allocations freed')
  })

  it('--json: the report, exit 0', async () => {
    const out = await runR58(['probe', 'turn', ...Object.values(coturn.lab.turnUrls), ...auth(), ...ca(), '--json'])
    expect(out.exitCode).toBe(0)
    const envelope = JSON.parse(out.stdout)
    expect(envelope).toMatchObject({command: 'probe turn', ok: true, exitCode: 0})
    expect(
      envelope.result.results.map((r: {transport: string; outcome: string}) => `${r.transport}:${r.outcome}`),
    ).toEqual(['udp:ok', 'tcp:ok', 'tls:ok'])
  })

  it('wrong password: exit 5, "credentials rejected", in both modes', async () => {
    const argv = [
      'probe',
      'turn',
      coturn.lab.turnUrls.udp,
      '--turn-username',
      coturn.lab.username,
      '--turn-credential-file',
      file('wrong', 'wrong\n'),
    ]
    const human = await runR58(argv)
    expect(human.exitCode).toBe(5)
    expect(human.stdout).toContain('credentials rejected (401 Unauthorized)')
    expect(human.stdout).toMatch(/✗\s+turn:/)
    const json = await runR58([...argv, '--json'])
    expect(json.exitCode).toBe(5)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout).result.results[0]).toMatchObject({outcome: 'auth-rejected', step: 'allocate'})
  })

  it('closed port: exit 4 within the timeout', async () => {
    const port = await closedPort()
    const out = await runR58(['probe', 'turn', `turn:127.0.0.1:${port}?transport=tcp`, ...auth(), '--timeout', '2s'])
    expect(out.exitCode).toBe(4)
    expect(out.stdout).toMatch(/unreachable \(tcp-connect\)/)
    expect(out.stdout).toContain('connection refused')
  })

  it.each([
    ['turn:127.0.0.1', 'has no port'],
    ['turn:127.0.0.1:3478?transport=sctp', 'has an unknown transport "sctp"'],
  ])('%s: exit 2 naming the URL, before any packet', async (url, reason) => {
    const out = await runR58(['probe', 'turn', url, ...auth()])
    expect(out.exitCode).toBe(2)
    expect(out.stdout).toBe('')
    expect(out.stderr).toContain(`${JSON.stringify(url)} ${reason}`)
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('a mixed list shows the transport that works and the one that does not', async () => {
    const port = await closedPort()
    const out = await runR58([
      'probe',
      'turn',
      coturn.lab.turnUrls.tcp,
      `turn:127.0.0.1:${port}?transport=udp`,
      ...auth(),
    ])
    expect(out.exitCode).toBe(4)
    expect(out.stdout).toMatch(/✓\s+turn:127\.0\.0\.1:\d+\?transport=tcp\s+tcp\s+ok/)
    expect(out.stdout).toMatch(/✗\s+turn:127\.0\.0\.1:\d+\?transport=udp\s+udp\s+unreachable \(stun-response\)/)
  })

  it('needs a user name: exit 2 naming --turn-username', async () => {
    const out = await runR58(['probe', 'turn', coturn.lab.turnUrls.udp, '--turn-credential-file', file('pw2', 'x\n')])
    expect(out.exitCode).toBe(2)
    expect(out.stderr).toContain('--turn-username')
  })

  it('an unreadable --ca file: exit 6 naming it', async () => {
    const out = await runR58(['probe', 'turn', coturn.lab.turnUrls.tls, ...auth(), '--ca', join(dir, 'absent.pem')])
    expect(out.exitCode).toBe(6)
    expect(out.stderr).toContain('--ca')
  })

  describe('TLS certificate for another name', () => {
    let other: CoturnLab
    beforeAll(async () => {
      requireTurnserver()
      other = await startCoturn({
        certificate: await makeSelfSignedCertificate({commonName: 'other.example', altNames: []}),
      })
    })
    afterAll(() => other?.stop())

    it('exit 4, the mismatch named, the fix given', async () => {
      const out = await runR58([
        'probe',
        'turn',
        other.turnUrls.tls,
        '--turn-username',
        other.username,
        '--turn-credential-file',
        file('other', other.credential),
        '--ca',
        other.certificate.certPath,
      ])
      expect(out.exitCode).toBe(4)
      expect(out.stdout).toContain('tls-failed (tls-handshake)')
      expect(out.stdout).toContain('certificate name mismatch: the certificate is for CN=other.example')
      expect(out.stdout).toContain('--insecure')
    })
  })

  describe('--cloudflare-turn', () => {
    const SECRET = 'cli-rest-secret'
    let rest: CoturnLab
    let api: TurnApiStandin
    beforeAll(async () => {
      requireTurnserver()
      rest = await startCoturn({auth: {secret: SECRET}})
      api = await startTurnApiFor(
        {k1: 'good-token'},
        {secret: SECRET, turnUrls: [rest.turnUrls.udp, rest.turnUrls.tcp], stunUrls: [rest.stunUrl]},
      )
    })
    afterAll(async () => {
      await api?.close()
      await rest?.stop()
    })

    const probeWithCloudflareTurn = (tokenFile: string) => [
      ...['probe', 'turn', '--cloudflare-turn', '--turn-key-id', 'k1'],
      ...['--turn-key-token-file', tokenFile, '--turn-api-base', api.apiBase],
    ]

    it('mints credentials, probes the URLs it got: exit 0', async () => {
      const token = file('cf-token', 'good-token\n')
      const out = await runR58(probeWithCloudflareTurn(token))
      expect(out.exitCode, out.stdout).toBe(0)
      expect(out.stdout).toContain('credentials from Cloudflare TURN')
      expect(out.stdout.match(/✓/g)?.length).toBe(2)
    })

    it('a rejected token: exit 5', async () => {
      const token = file('cf-bad', 'bad-token\n')
      const out = await runR58(probeWithCloudflareTurn(token))
      expect(out.exitCode).toBe(5)
      expect(out.stdout).toContain('rejected the key token')
    })
  })
})

describe('probe stun', () => {
  it('exit 0, the mapped address and the mapping verdict', async () => {
    const out = await runR58(['probe', 'stun', coturn.lab.stunUrl, '--count', '3'])
    expect(out.exitCode).toBe(0)
    expect(out.stdout).toMatch(/✓\s+stun:127\.0\.0\.1:\d+\s+udp\s+127\.0\.0\.1:\d+\s+[\d.]+\/[\d.]+\/[\d.]+ ms\s+3\/3/)
    expect(out.stdout).toContain('NAT: - mapping behaviour not tested: only one destination answered')
  })

  it('a silent server: exit 4', async () => {
    const port = await closedPort()
    const out = await runR58(['probe', 'stun', `stun:127.0.0.1:${port}`, '--timeout', '300ms', '--json'])
    expect(out.exitCode).toBe(4)
    expect(JSON.parse(out.stdout).result.results[0]).toMatchObject({outcome: 'timeout', step: 'stun-response'})
  })
})

describe('probe ice', () => {
  it('relay candidates with good credentials: exit 0, listed like the trickle ICE page', async () => {
    const out = await runR58(['probe', 'ice', '--ice-server', coturn.lab.turnUrls.udp, ...auth(), '--relay-only'])
    expect(out.exitCode, out.stdout).toBe(0)
    expect(out.stdout).toMatch(/ELAPSED\s+TYPE\s+PROTOCOL\s+ADDRESS\s+PORT\s+PRIORITY\s+RELAY PROTOCOL\s+SERVER/)
    expect(out.stdout).toMatch(/\d+ ms\s+relay\s+udp\s+127\.0\.0\.1\s+\d+\s+0 \| \d+ \| 255\s+udp\s+turn:/)
    expect(out.stdout).toContain('host 0, srflx 0, relay 1')
  })

  it('wrong credentials: no relay candidate, the warning, exit 3', async () => {
    const out = await runR58([
      'probe',
      'ice',
      '--ice-server',
      coturn.lab.turnUrls.udp,
      '--turn-username',
      coturn.lab.username,
      '--turn-credential-file',
      file('ice-wrong', 'wrong\n'),
      '--relay-only',
      '--timeout',
      '700ms',
    ])
    expect(out.exitCode).toBe(3)
    expect(out.stdout).toContain('no relay candidate: TURN unreachable or credentials rejected — run `r58 probe turn')
  })
})
