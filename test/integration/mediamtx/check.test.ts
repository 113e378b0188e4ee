/** `mediamtx check` on the fixtures, on broken files and against the API stand-in. Interfaces are injected. */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {parseConfigDoc} from '../../../src/mediamtx/config-doc.js'
import {planConfigure, versionFromFlag} from '../../../src/mediamtx/configure.js'
import {mediamtxCheck} from '../../../src/mediamtx/mediamtx-check.js'
import type {Interfaces} from '../../../src/mediamtx/predicted-candidates.js'
import {closedPort} from '../../support/http-server.js'
import {atLeastFile, FIXTURES, fixture} from '../../support/mediamtx.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../support/mediamtx-api.js'

const LAN: Interfaces = {
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    },
  ],
  eth0: [
    {
      address: '192.168.1.58',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: '192.168.1.58/24',
    },
  ],
}
const interfaces = () => LAN
const V120 = fixture('v1.20.1.yml')

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'r58-check-')), 'mediamtx.yml')
  writeFileSync(path, text)
  return path
}

const check = (file: string, extra: Partial<Parameters<typeof mediamtxCheck>[0]> = {}) =>
  mediamtxCheck({file, interfaces, ...extra})
const status = (report: Awaited<ReturnType<typeof mediamtxCheck>>, id: string) =>
  report.checks.find((c) => c.id === id)?.status

let standin: MediamtxStandin | undefined
afterEach(async () => {
  await standin?.close()
  standin = undefined
})

describe.each(FIXTURES)('%s as shipped', (file) => {
  it('is judged for its version: LAN-only candidates warn, versions without WHIP fail', async () => {
    const report = await check(tempFile(fixture(file)))
    expect(status(report, 'mediamtx.config.parse')).toBe('pass')
    expect(status(report, 'mediamtx.config.unknown-keys')).toBe('pass')
    expect(status(report, 'mediamtx.config.valid')).toBe('pass')
    expect(status(report, 'mediamtx.api.reachable')).toBe('skip')
    expect(report.candidates.filter((c) => c.type === 'host').map((c) => c.address)).toEqual(
      expect.arrayContaining(['127.0.0.1', '192.168.1.58']),
    )
    expect(report.exitCode).toBe(0)
    // Before v1.3.0 the default STUN server gives a server-reflexive candidate.
    expect(status(report, 'mediamtx.webrtc.candidates')).toBe(atLeastFile(file, 'v1.3.0') ? 'warn' : 'pass')
    // The inferred version is a lower bound: v0.23.0's file reads as "v0.22.0 or later", so only a warning.
    expect(status(report, 'mediamtx.version')).toBe(atLeastFile(file, 'v0.23.7') ? 'pass' : 'warn')
    const exact = await check(tempFile(fixture(file)), {version: file.replace(/\.yml$/, '')})
    expect(status(exact, 'mediamtx.version')).toBe(atLeastFile(file, 'v0.23.0') ? 'pass' : 'fail')
    expect(exact.exitCode).toBe(atLeastFile(file, 'v0.23.0') ? 0 : 3)
  })
})

describe('mediamtx check', () => {
  it('passes once a tailnet address is advertised', async () => {
    const text = planConfigure(V120, 'f', {operations: [{op: 'add-host', host: '100.64.0.5'}]}).after
    const report = await check(tempFile(text))
    expect(status(report, 'mediamtx.webrtc.candidates')).toBe('pass')
    expect(report.candidates).toContainEqual(
      expect.objectContaining({
        type: 'host',
        address: '100.64.0.5',
        port: 8189,
        protocol: 'udp',
        scope: 'tailnet',
        source: 'webrtcAdditionalHosts',
      }),
    )
    expect(report.findings.find((f) => f.id === 'mediamtx.webrtc.candidates')).toMatchObject({severity: 'info'})
  })

  it('names keys the version does not know with their position (exit 6)', async () => {
    const text = fixture('v1.2.0.yml').replace('webrtcICEHostNAT1To1IPs: []', 'webrtcAdditionalHosts: []')
    const path = tempFile(text)
    const report = await check(path, {version: 'v1.2.0'})
    expect(report.exitCode).toBe(6)
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        id: 'mediamtx.config.unknown-keys',
        severity: 'error',
        message: expect.stringMatching(new RegExp(`^${path}:\\d+:1: webrtcAdditionalHosts is unknown`)),
      }),
    )
  })

  it('suggests migrating deprecated keys where the version has the replacement', async () => {
    const path = tempFile(fixture('v1.1.0.yml'))
    const report = await check(path, {version: 'v1.20.1'})
    expect(status(report, 'mediamtx.config.deprecated-keys')).toBe('warn')
    const finding = report.findings.find((f) => f.message.startsWith('webrtcICEHostNAT1To1IPs is deprecated'))
    expect(finding).toMatchObject({
      severity: 'warn',
      fix: `r58 mediamtx configure --file ${path} --mediamtx-version v1.20.1 --migrate-deprecated --write`,
    })
    const older = await check(path)
    expect(status(older, 'mediamtx.config.deprecated-keys')).toBe('pass')
  })

  it('predicts what the upgraded server does with an old file: :8189, and a fix that carries the version', async () => {
    const path = tempFile(fixture('v1.2.0.yml'))
    const report = await check(path, {version: 'v1.20.1'})
    expect(report.exitCode).toBe(6)
    expect(report.candidates.filter((c) => c.type === 'host').map((c) => `${c.address}:${c.port}`)).toEqual([
      '127.0.0.1:8189',
      '192.168.1.58:8189',
    ])
    expect(report.findings.find((f) => f.id === 'mediamtx.config.unknown-keys')).toMatchObject({
      message: expect.stringContaining('webrtcICEInterfaces was removed in v1.3.0'),
      fix: `r58 mediamtx configure --file ${path} --mediamtx-version v1.20.1 --migrate-deprecated --write`,
    })
  })

  it('reports clientOnly, expired REST credentials and MTX_* overrides', async () => {
    const text = V120.replace(
      'webrtcICEServers2: []',
      "webrtcICEServers2:\n  - url: turn:t.example:3478\n    username: '1000000000:r58'\n    password: 'x'\n  - url: stun:s.example:3478\n    clientOnly: true",
    )
    const report = await check(tempFile(text), {
      env: {MTX_WEBRTCADDITIONALHOSTS: '1.2.3.4'},
      now: () => Date.parse('2026-11-25T00:00:00Z'),
    })
    expect(status(report, 'mediamtx.webrtc.ice-servers')).toBe('warn')
    const messages = report.findings.map((f) => f.message)
    expect(messages).toContain('TURN turn:t.example:3478: used by MediaMTX and its clients')
    expect(messages).toContain('STUN stun:s.example:3478: given to clients only (clientOnly)')
    expect(messages.join('\n')).toMatch(/credentials of turn:t\.example:3478 expired at 2001-09-09/)
    expect(status(report, 'mediamtx.env.overrides')).toBe('warn')
    expect(report.candidates.filter((c) => c.type === 'relay')).toHaveLength(1)
    expect(report.candidates.filter((c) => c.type === 'srflx')).toHaveLength(0)
  })

  it('fails a file that does not parse, naming the position', async () => {
    const report = await check(tempFile('webrtc: [\n'))
    expect(report.exitCode).toBe(6)
    expect(report.findings[0]).toMatchObject({
      id: 'mediamtx.config.parse',
      severity: 'error',
      message: expect.stringMatching(/mediamtx\.yml:2:1:/),
    })
  })

  it('checks the running server too: version, sessions, drift', async () => {
    const live = parseConfigDoc(V120, 'f').raw()
    standin = await startMediamtxStandin('v1.20.1', {...live, webrtcAdditionalHosts: ['203.0.113.7']}, {sessions: 1})
    const report = await check(tempFile(V120), {api: {baseUrl: standin.url, explicit: true}})
    expect(report.version).toMatchObject({value: 'v1.20.1', source: 'api'})
    expect(status(report, 'mediamtx.api.reachable')).toBe('pass')
    expect(status(report, 'mediamtx.api.drift')).toBe('warn')
    expect(report.findings.map((f) => f.message).join('\n')).toContain('1 WebRTC session(s) active')
    const liveOnly = await mediamtxCheck({api: {baseUrl: standin.url, explicit: true}, interfaces})
    expect(liveOnly.source).toEqual({file: null, api: standin.url})
    expect(liveOnly.candidates.map((c) => c.address)).toContain('203.0.113.7')
    expect(status(liveOnly, 'mediamtx.config.unknown-keys')).toBe('skip')
  })

  it('exit 5 for rejected API credentials, 4 for an API that does not answer', async () => {
    standin = await startMediamtxStandin('v1.20.1', {}, {auth: {user: 'u', pass: 'p'}})
    const denied = await mediamtxCheck({api: {baseUrl: standin.url, explicit: true}, interfaces})
    expect(denied.exitCode).toBe(5)
    const port = await closedPort()
    const down = await check(tempFile(V120), {api: {baseUrl: `http://127.0.0.1:${port}`, explicit: true}})
    expect(down.exitCode).toBe(4)
    expect(status(down, 'mediamtx.config.valid')).toBe('pass')
  })

  it('uses the API the file enables when no --mediamtx-api-url is given', async () => {
    standin = await startMediamtxStandin('v1.20.1', parseConfigDoc(V120, 'f').raw())
    const text = V120.replace(/^api: false$/m, 'api: true').replace(
      /^apiAddress: :9997$/m,
      `apiAddress: 127.0.0.1:${standin.port}`,
    )
    const report = await check(tempFile(text), {api: {baseUrl: 'http://127.0.0.1:9', explicit: false}})
    expect(report.source.api).toBe(`http://127.0.0.1:${standin.port}`)
    expect(status(report, 'mediamtx.api.reachable')).toBe('pass')
  })

  it('only warns when the API the file enables does not answer', async () => {
    const port = await closedPort()
    const text = V120.replace(/^api: false$/m, 'api: true').replace(/^apiAddress: :9997$/m, `apiAddress: :${port}`)
    const report = await check(tempFile(text))
    expect(status(report, 'mediamtx.api.reachable')).toBe('warn')
    expect(report.exitCode).toBe(0)
  })

  it('needs a file or an API', async () => {
    await expect(mediamtxCheck({})).rejects.toMatchObject({exitCode: 2})
    expect(versionFromFlag('1.2.3').value).toBe('v1.2.3')
  })
})
