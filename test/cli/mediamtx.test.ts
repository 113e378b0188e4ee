/** `r58 mediamtx check | configure | turn-refresh` as a user runs them: output, exit codes, secrets. */
import {spawn} from 'node:child_process'
import {copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedConfigHome, ROOT, runR58} from '../support/cli.js'
import {closedPort} from '../support/http-server.js'
import {FIXTURE_DIR} from '../support/mediamtx.js'
import {type MediamtxStandin, startMediamtxStandin} from '../support/mediamtx-api.js'
import {startTurnApi, type TurnApiStandin} from '../support/turn-api.js'

const dir = mkdtempSync(join(tmpdir(), 'r58-mtx-cli-'))
const tokenFile = join(dir, 'turn-token')
writeFileSync(tokenFile, 'turn-token-good\n', {mode: 0o600})
const passwordFile = join(dir, 'turn-password')
writeFileSync(passwordFile, 'static-turn-password\n', {mode: 0o600})

function copy(version = 'v1.20.1'): string {
  const path = join(mkdtempSync(join(dir, 'f-')), 'mediamtx.yml')
  copyFileSync(join(FIXTURE_DIR, `${version}.yml`), path)
  return path
}

let turnApi: TurnApiStandin
let api: MediamtxStandin
let down: number
beforeAll(async () => {
  turnApi = await startTurnApi({k1: 'turn-token-good'})
  api = await startMediamtxStandin(
    'v1.20.1',
    {webrtc: true, webrtcAdditionalHosts: [], webrtcICEServers2: []},
    {auth: {user: 'u', pass: 'p'}},
  )
  down = await closedPort()
})
afterAll(async () => {
  await turnApi.close()
  await api.close()
})

describe('mediamtx configure', () => {
  it('prints a diff and writes nothing by default; --write writes; the second run changes nothing', async () => {
    const file = copy()
    const before = readFileSync(file, 'utf8')
    const dry = await runR58(['mediamtx', 'configure', '-f', file, '--add-host', '100.64.0.5'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain('-webrtcAdditionalHosts: []\n+webrtcAdditionalHosts: [100.64.0.5]')
    expect(dry.stdout).toContain('Dry run: nothing written')
    expect(readFileSync(file, 'utf8')).toBe(before)
    const written = await runR58(['mediamtx', 'configure', '-f', file, '--add-host', '100.64.0.5', '--write'])
    expect(written.exitCode).toBe(0)
    expect(written.stdout).toMatch(/Wrote .*mediamtx\.yml \(previous version kept as .*\.bak\)/)
    const again = await runR58(['mediamtx', 'configure', '-f', file, '--add-host', '100.64.0.5', '--write', '--json'])
    expect(JSON.parse(again.stdout).result).toMatchObject({noop: true, written: false, diff: '', changes: []})
  })

  it('redacts TURN passwords in the diff unless --show-secrets', async () => {
    const file = copy()
    const base = [
      'mediamtx',
      'configure',
      '-f',
      file,
      '--cloudflare-turn',
      '--turn-key-id',
      'k1',
      '--turn-key-token-file',
      tokenFile,
      '--turn-api-base',
      turnApi.apiBase,
    ]
    const hidden = await runR58([...base, '--json'])
    expect(hidden.exitCode).toBe(0)
    const result = JSON.parse(hidden.stdout).result
    expect(result.diff).toMatch(/password: '<redacted>'/)
    expect(hidden.stdout).not.toMatch(/emulated-\d/)
    const shown = await runR58([...base, '--show-secrets'])
    expect(shown.stdout).toMatch(/password: 'emulated-\d+'/)
    const staticTurn = await runR58([
      'mediamtx',
      'configure',
      '-f',
      file,
      '--turn',
      'turn:t.example:3478',
      '--turn-username',
      'u',
      '--turn-credential-file',
      passwordFile,
    ])
    expect(staticTurn.exitCode).toBe(0)
    expect(staticTurn.stdout).toContain("password: '<redacted>'")
    expect(staticTurn.stdout).not.toContain('static-turn-password')
  })

  it.each([
    {
      name: 'a placeholder host',
      argv: ['--add-host', '192.168.x.x'],
      exit: 2,
      message: /--add-host: "192\.168\.x\.x" looks like a placeholder/,
    },
    {
      name: 'a TURN URL without port',
      argv: ['--turn', 'turn:t.example', '--turn-username', 'u'],
      exit: 2,
      message: /--turn: "turn:t\.example" has no port/,
    },
    {
      name: 'a malformed version',
      argv: ['--mediamtx-version', 'latest', '--add-host', '1.2.3.4'],
      exit: 2,
      message: /--mediamtx-version: expected a release/,
    },
    {name: 'no operation', argv: [], exit: 2, message: /Nothing to do/},
    {
      name: 'an option the version lacks',
      argv: ['--mediamtx-version', 'v1.6.0', '--client-only'],
      exit: 6,
      message: /needs MediaMTX v1\.7\.0/,
    },
  ])('exits $exit on $name', async ({argv, exit, message}) => {
    const out = await runR58(['mediamtx', 'configure', '-f', copy(), ...argv])
    expect(out.exitCode).toBe(exit)
    expect(out.stdout).toBe('')
    expect(out.stderr).toMatch(message)
  })

  it('exits 6 naming file:line:col for a file MediaMTX would reject, and leaves it alone', async () => {
    const file = join(mkdtempSync(join(dir, 'bad-')), 'mediamtx.yml')
    writeFileSync(file, 'webrtc: yes\nwebrtcAdditionalHosts: [a\n')
    const out = await runR58(['mediamtx', 'configure', '-f', file, '--add-host', '1.2.3.4', '--write', '--json'])
    expect(out.exitCode).toBe(6)
    expect(JSON.parse(out.stdout).error).toMatchObject({
      code: 'E_MEDIAMTX_CONFIG',
      message: expect.stringMatching(new RegExp(`^${file}:\\d+:\\d+: `)),
    })
    expect(readFileSync(file, 'utf8')).toBe('webrtc: yes\nwebrtcAdditionalHosts: [a\n')
  })

  it('--apply: exit 5 for rejected credentials, 4 for an unreachable API, 0 with the right user', async () => {
    const args = ['mediamtx', 'configure', '--add-host', '100.64.0.8', '--apply']
    expect((await runR58([...args, '--mediamtx-api-url', api.url])).exitCode).toBe(5)
    expect((await runR58([...args, '--mediamtx-api-url', `http://127.0.0.1:${down}`])).exitCode).toBe(4)
    const ok = await runR58([
      ...args,
      '--mediamtx-api-url',
      api.url,
      '--mediamtx-api-user',
      'u',
      '--mediamtx-api-password',
      'p',
      '--json',
    ])
    expect(ok.exitCode).toBe(0)
    expect(JSON.parse(ok.stdout).result.applied).toMatchObject({keys: ['webrtcAdditionalHosts'], verified: true})
  })
})

describe('mediamtx check', () => {
  it('exits 6 for a key the version does not know, and says where', async () => {
    const file = copy('v1.2.0')
    writeFileSync(file, readFileSync(file, 'utf8').replace('webrtcICEHostNAT1To1IPs: []', 'webrtcAdditionalHosts: []'))
    const out = await runR58(['mediamtx', 'check', '-f', file, '--mediamtx-version', 'v1.2.0'])
    expect(out.exitCode).toBe(6)
    expect(out.stdout).toMatch(new RegExp(`${file}:\\d+:1: webrtcAdditionalHosts is unknown to MediaMTX v1\\.2\\.0`))
  })

  it('exits 0 with warnings for the default file, naming the fix', async () => {
    const out = await runR58(['mediamtx', 'check', '-f', copy('v1.1.0'), '--mediamtx-version', 'v1.20.1', '--json'])
    expect(out.exitCode).toBe(0)
    const report = JSON.parse(out.stdout).result
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        id: 'mediamtx.config.deprecated-keys',
        severity: 'warn',
        fix: expect.stringContaining('--migrate-deprecated --write'),
      }),
    )
  })
})

describe('mediamtx turn-refresh', () => {
  it('refreshes once and reports the expiry', async () => {
    const file = copy()
    const out = await runR58([
      'mediamtx',
      'turn-refresh',
      '--cloudflare-turn',
      '--turn-key-id',
      'k1',
      '--turn-key-token-file',
      tokenFile,
      '--turn-api-base',
      turnApi.apiBase,
      '-f',
      file,
      '--ttl',
      '1h',
    ])
    expect(out.exitCode).toBe(0)
    expect(out.stdout).toMatch(/Refreshed the TURN credentials of .*: valid until \d{4}-/)
    expect(readFileSync(file, 'utf8')).toContain('turn:127.0.0.1:3478?transport=udp')
  })

  it('needs --cloudflare-turn', async () => {
    expect((await runR58(['mediamtx', 'turn-refresh', '-f', copy()])).exitCode).toBe(2)
  })

  it('with --every, prints NDJSON events until SIGTERM, then exits 0', async () => {
    const file = copy()
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'bin/dev.js'),
        'mediamtx',
        'turn-refresh',
        '--cloudflare-turn',
        '--turn-key-id',
        'k1',
        '--turn-key-token-file',
        tokenFile,
        '--turn-api-base',
        turnApi.apiBase,
        '-f',
        file,
        '--every',
        '12h',
        '--json',
      ],
      {
        cwd: ROOT,
        env: {...process.env, XDG_CONFIG_HOME: isolatedConfigHome(), CI: 'true'},
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    const refreshed = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        if (stdout.includes('turn-refresh.next')) resolve()
      })
    })
    await refreshed
    child.kill('SIGTERM')
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(events.map((e) => e.event)).toEqual([
      'turn-refresh.started',
      'turn-refresh.refreshed',
      'turn-refresh.next',
      'turn-refresh.stopped',
    ])
  })
})
