/**
 * The output contract every command shares: the --json envelope, clean stdout and stderr, and the
 * exit-code table, identical with and without --json.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Config} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BaseCommand} from '../../src/cli/base-command.js'
import {ROOT, runR58} from '../support/cli.js'
import {closedPort, type LoopbackServer, startHttpServer} from '../support/http-server.js'
import {startTurnApi, type TurnApiStandin} from '../support/turn-api.js'

const dir = mkdtempSync(join(tmpdir(), 'r58-cli-'))
const tokenFile = join(dir, 'token')
writeFileSync(tokenFile, 'turn-token-good\n', {mode: 0o600})
const wrongTokenFile = join(dir, 'wrong')
writeFileSync(wrongTokenFile, 'turn-token-wrong\n', {mode: 0o600})
const brokenConfig = join(dir, 'broken.yaml')
writeFileSync(brokenConfig, 'relay:\n  lisen: 1\n')

let api: TurnApiStandin
let html: LoopbackServer
let downPort: number

beforeAll(async () => {
  api = await startTurnApi({k1: 'turn-token-good'})
  html = await startHttpServer((_req, res) => res.writeHead(201, {'content-type': 'text/html'}).end('<html>'))
  downPort = await closedPort()
})
afterAll(async () => {
  await api.close()
  await html.close()
})

const creds = (apiBase: string, token = tokenFile) => [
  'turn',
  'credentials',
  '--turn-key-id',
  'k1',
  '--turn-key-token-file',
  token,
  '--turn-api-base',
  apiBase,
]

interface Case {
  name: string
  argv: () => string[]
  env?: Record<string, string>
  exit: number
  code?: string
}

const CASES: Case[] = [
  {name: 'success', argv: () => ['config', 'show'], exit: 0},
  {name: 'success (network)', argv: () => creds(api.apiBase), exit: 0},
  {name: 'unknown flag', argv: () => ['config', 'show', '--nope'], exit: 2, code: 'E_USAGE'},
  {
    name: 'port out of range',
    argv: () => ['config', 'show', '--relay-listen', '127.0.0.1:70000'],
    exit: 2,
    code: 'E_USAGE',
  },
  {name: 'malformed URL', argv: () => creds('not-a-url'), exit: 2, code: 'E_USAGE'},
  {name: 'missing required argument', argv: () => ['turn', 'revoke'], exit: 2, code: 'E_USAGE'},
  {name: 'missing required setting', argv: () => ['turn', 'credentials'], exit: 2, code: 'E_USAGE'},
  {name: 'bad option value', argv: () => [...creds(api.apiBase), '--format', 'xml'], exit: 2, code: 'E_USAGE'},
  {name: 'check failed (not the expected answer)', argv: () => creds(html.url), exit: 3, code: 'E_PROTOCOL'},
  {name: 'unreachable', argv: () => creds(`http://127.0.0.1:${downPort}/v1`), exit: 4, code: 'E_UNREACHABLE'},
  {name: 'credentials rejected', argv: () => creds(api.apiBase, wrongTokenFile), exit: 5, code: 'E_AUTH'},
  {name: 'invalid env value', argv: () => ['config', 'show'], env: {R58_RELAY_LISTEN: 'x'}, exit: 6, code: 'E_CONFIG'},
  {name: 'invalid config file', argv: () => ['config', 'show', '--config', brokenConfig], exit: 6, code: 'E_CONFIG'},
  {name: 'unreadable secret file', argv: () => creds(api.apiBase, join(dir, 'absent')), exit: 6, code: 'E_SECRET'},
]

describe.each(CASES)('exit code: $name', ({argv, env, exit, code}) => {
  it(`is ${exit} in human mode, with errors on stderr only`, async () => {
    const out = await runR58(argv(), {env: env ?? {}})
    expect(out.exitCode).toBe(exit)
    if (exit === 0) {
      expect(out.stderr).toBe('')
    } else {
      expect(out.stdout).toBe('')
      expect(out.stderr).toMatch(/^Error: /)
      if (code === 'E_USAGE') expect(out.stderr.trimEnd().split('\n')).toHaveLength(1)
    }
  })

  it(`is ${exit} with --json, stdout one JSON envelope and stderr empty`, async () => {
    const out = await runR58([...argv(), '--json'], {env: env ?? {}})
    expect(out.exitCode).toBe(exit)
    expect(out.stderr).toBe('')
    const envelope = JSON.parse(out.stdout)
    expect(envelope).toMatchObject({schemaVersion: 1, ok: exit === 0, exitCode: exit})
    expect(Date.parse(envelope.startedAt)).not.toBeNaN()
    expect(envelope.durationMs).toBeGreaterThanOrEqual(0)
    if (exit === 0) expect(envelope.result).toBeDefined()
    else expect(envelope.error).toMatchObject({code, message: expect.any(String)})
  })
})

describe('exit code: unexpected bug', () => {
  class Boom extends BaseCommand<typeof Boom> {
    static override id = 'boom'
    async run(): Promise<void> {
      throw new TypeError('cannot read properties of undefined')
    }
  }

  it.each([[[]], [['--json']]])('is 1 (argv %j) and says it is a bug', async (argv) => {
    const config = await Config.load({root: ROOT})
    process.exitCode = undefined
    try {
      const out = await captureOutput(() => Boom.run(argv, config))
      expect(process.exitCode).toBe(1)
      expect(`${out.stdout}${out.stderr}`).toContain('bug')
      expect(`${out.stdout}${out.stderr}`).not.toContain('    at ') // no stack without --verbose
    } finally {
      process.exitCode = undefined
    }
  })
})

describe('configuration precedence: flag > env > file > default', () => {
  const file = join(dir, 'prec.yaml')
  writeFileSync(file, 'relay:\n  listen: 127.0.0.3:3003\n  url: http://127.0.0.3:3\n')

  const listen = async (argv: string[], env: Record<string, string> = {}) => {
    const out = await runR58(['config', 'show', '--config', file, '--json', ...argv], {env})
    const settings = JSON.parse(out.stdout).result.settings as {key: string; value: unknown; source: string}[]
    return settings.find((s) => s.key === 'relay.listen')
  }

  it.each([
    {
      layers: 'flag, env, file',
      argv: ['--relay-listen', '127.0.0.1:1001'],
      env: {R58_RELAY_LISTEN: '127.0.0.2:2002'},
      want: ['127.0.0.1:1001', 'flag'],
    },
    {layers: 'env, file', argv: [], env: {R58_RELAY_LISTEN: '127.0.0.2:2002'}, want: ['127.0.0.2:2002', 'env']},
    {layers: 'file', argv: [], env: {}, want: ['127.0.0.3:3003', 'file']},
  ])('$layers → $want.1 wins', async ({argv, env, want}) => {
    expect(await listen(argv, env)).toMatchObject({value: want[0], source: want[1]})
  })

  it('falls back to the default without a file', async () => {
    const out = await runR58(['config', 'show', '--json'])
    const settings = JSON.parse(out.stdout).result.settings as {key: string; source: string}[]
    expect(settings.find((s) => s.key === 'relay.listen')?.source).toBe('default')
  })
})
