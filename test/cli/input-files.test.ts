/**
 * Files that are not a regular text file of sane size, given to every command that reads mediamtx.yml, the
 * r58 config, a secret file or the relay's tokens file: each is an input error (exit 6) that names the file and
 * says what is wrong. FIFOs and devices run in a child process, so a read that blocks fails the test by its
 * deadline instead of stalling the test worker.
 */
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runR58, spawnR58} from '../support/cli.js'
import {FIXTURE_DIR} from '../support/mediamtx.js'

const dir = mkdtempSync(join(tmpdir(), 'r58-inputs-'))
/** Generous: a loaded machine needs seconds to start a process; the refusal itself takes milliseconds. */
const SPAWN_DEADLINE = 45_000

/** The error message of a failed command, or the evidence of the failed checks of a report (mediamtx check). */
function messagesOf(stdout: string): string {
  const envelope = JSON.parse(stdout) as {
    error?: {message: string}
    result?: {checks?: {status: string; evidence?: unknown}[]}
  }
  if (envelope.error) return envelope.error.message
  return (envelope.result?.checks ?? [])
    .filter((check) => check.status === 'fail')
    .map((check) => JSON.stringify(check.evidence))
    .join('\n')
}

function fifo(name: string): string {
  const path = join(dir, name)
  execFileSync('mkfifo', [path])
  return path
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

/** Each command that reads an operator-given file, with the argv that makes it read `path`. */
const READERS: {name: string; argv: (path: string) => string[]}[] = [
  {name: 'mediamtx check --file', argv: (p) => ['mediamtx', 'check', '--file', p]},
  {name: 'mediamtx configure --file', argv: (p) => ['mediamtx', 'configure', '--file', p, '--add-host', '100.64.0.5']},
  {name: 'config show --config', argv: (p) => ['config', 'show', '--config', p]},
  {name: 'config show --calls-app-secret-file', argv: (p) => ['config', 'show', '--calls-app-secret-file', p]},
  {
    name: 'mediamtx standin --file',
    argv: (p) => ['mediamtx', 'standin', '--file', p, '--whip-port', '0', '--api-port', '0'],
  },
  {
    name: 'relay start --relay-tokens-file',
    argv: (p) => [
      'relay',
      'start',
      '--relay-tokens-file',
      p,
      '--calls-app-id',
      'a'.repeat(32),
      '--relay-listen',
      '127.0.0.1:0',
      '--dry-run',
    ],
  },
  {name: 'probe stun --ca', argv: (p) => ['probe', 'stun', 'stun:127.0.0.1:9', '--ca', p]},
]

describe.each(READERS)('$name', ({name, argv}) => {
  it(
    'refuses a FIFO with exit 6 instead of waiting for a writer',
    async () => {
      const path = fifo(`${name.replace(/\W+/g, '-')}.fifo`)
      const run = await spawnR58([...argv(path), '--json'], {
        timeoutMs: SPAWN_DEADLINE,
        env: {R58_CALLS_APP_SECRET: 'input-files-secret'},
      })
      expect(run.exitCode, run.stderr).toBe(6)
      expect(messagesOf(run.stdout)).toMatch(/FIFO \(named pipe\), not a regular file/)
    },
    2 * SPAWN_DEADLINE,
  )
})

describe.each(READERS.slice(0, 4))('$name', ({argv}) => {
  it(
    'refuses a device (/dev/zero never ends) with exit 6',
    async () => {
      const run = await spawnR58([...argv('/dev/zero'), '--json'], {timeoutMs: SPAWN_DEADLINE})
      expect(run.exitCode, run.stderr).toBe(6)
      expect(messagesOf(run.stdout)).toMatch(/\/dev\/zero.*a character device, not a regular file/)
    },
    2 * SPAWN_DEADLINE,
  )

  it('refuses a file over the size cap without reading it', async () => {
    const big = file(`big-${argv('x')[1]}-${argv('x')[2]}.yml`, Buffer.alloc(5 * 1024 * 1024, '#\n'))
    const run = await runR58([...argv(big), '--json'])
    expect(run.exitCode).toBe(6)
    expect(messagesOf(run.stdout)).toMatch(/too large \(5\.0 MiB; the limit is \d+(\.\d+)? [KM]iB\)/)
  })
})

describe.each(READERS.slice(0, 3))('$name', ({argv}) => {
  it('refuses CR-only line endings instead of reading the file as empty', async () => {
    const text = 'webrtc: yes\nwebrtcAdditionalHosts: []\n'.replace(/\n/g, '\r')
    const path = file(`cr-${argv('x').slice(0, 3).join('-')}.yml`, text)
    const run = await runR58([...argv(path), '--json'])
    expect(run.exitCode).toBe(6)
    const message = messagesOf(run.stdout)
    expect(message).toMatch(/:1: .*line ending.*carriage return/)
    expect(message).not.toMatch(/empty/)
  })
})

const BOMB = [
  'webrtc: yes',
  'webrtcAdditionalHosts: &a ["x","x","x","x","x","x","x","x","x"]',
  'webrtcIPsFromInterfacesList: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'webrtcAllowOrigins: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'paths:',
  '  all: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  '',
].join('\n')

describe('YAML alias bombs', () => {
  it.each([
    ['mediamtx check', ['mediamtx', 'check', '--file']],
    ['mediamtx configure', ['mediamtx', 'configure', '--add-host', '100.64.0.5', '--file']],
  ])('%s refuses one with exit 6 (not E_BUG)', async (_name, argv) => {
    const path = file(`bomb-${argv[1]}.yml`, BOMB)
    const run = await runR58([...argv, path, '--json'])
    expect(run.exitCode).toBe(6)
    expect(run.stdout).not.toMatch(/E_BUG/)
    expect(messagesOf(run.stdout)).toMatch(/:\d+:\d+: too many aliases/)
  })
})

it('a regular mediamtx.yml still reads (the checks do not refuse real files)', async () => {
  const path = join(dir, 'mediamtx.yml')
  copyFileSync(join(FIXTURE_DIR, 'v1.20.1.yml'), path)
  const run = await runR58(['mediamtx', 'configure', '--file', path, '--add-host', '100.64.0.5', '--json'])
  expect(run.exitCode).toBe(0)
})
