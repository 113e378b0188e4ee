/** `r58 calls check` exit codes, and `r58 calls emulate` as a real, interruptible process. */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import {APP, startEmulator} from '../support/calls.js'
import {runR58, startR58Process} from '../support/cli.js'
import {closedPort} from '../support/http-server.js'

const dir = mkdtempSync(join(tmpdir(), 'r58-calls-cli-'))
const secretFile = join(dir, 'secret')
writeFileSync(secretFile, `${APP.secret}\n`, {mode: 0o600})
const wrongFile = join(dir, 'wrong')
writeFileSync(wrongFile, 'wrong-secret\n', {mode: 0o600})

let emulator: CallsEmulator
let down: number

beforeAll(async () => {
  emulator = await startEmulator()
  down = await closedPort()
})
afterAll(() => emulator.close())

const check = (apiBase: string, secret = secretFile, appId = APP.id) => [
  'calls',
  'check',
  '--calls-api-base',
  apiBase,
  '--calls-app-id',
  appId,
  '--calls-app-secret-file',
  secret,
]

describe('r58 calls check', () => {
  it.each([
    {what: 'a working app', argv: () => check(emulator.apiBase), exit: 0},
    {what: 'a rejected secret', argv: () => check(emulator.apiBase, wrongFile), exit: 5},
    {what: 'an unknown app id', argv: () => check(emulator.apiBase, secretFile, 'no-such-app'), exit: 5},
    {what: 'an unreachable API', argv: () => check(`http://127.0.0.1:${down}/v1`), exit: 4},
  ])('exits $exit for $what, with the same code in JSON', async ({argv, exit}) => {
    const out = await runR58([...argv(), '--json'])
    expect(out.exitCode).toBe(exit)
    expect(out.stderr).toBe('')
    const envelope = JSON.parse(out.stdout)
    expect(envelope).toMatchObject({command: 'calls check', exitCode: exit, ok: exit === 0})
    expect(envelope.result.checks.map((c: {id: string}) => c.id)).toEqual([
      'calls.session.new',
      'calls.push',
      'calls.pull',
      'calls.media',
      'calls.close',
    ])
    const human = await runR58(argv())
    expect(human.exitCode).toBe(exit)
    expect(human.stdout).toContain(exit === 0 ? 'The app id and secret work' : `Calls check failed (exit ${exit})`)
    expect(`${out.stdout}${human.stdout}${human.stderr}`).not.toContain(APP.secret)
  })

  it('exits 2 without an app id, naming every way to give one', async () => {
    const out = await runR58(['calls', 'check', '--calls-app-secret-file', secretFile])
    expect(out.exitCode).toBe(2)
    expect(out.stderr).toMatch(/calls-app-id/)
  })
})

describe('r58 calls emulate', () => {
  it('prints the API base and its generated secret, serves it, and stops cleanly on SIGINT', async () => {
    const child = startR58Process(['calls', 'emulate', '--listen', '127.0.0.1:0', '--calls-app-id', 'dev-app'])
    try {
      const started = await child.waitFor('calls.emulator.started')
      expect(started).toMatchObject({
        level: 'info',
        appId: 'dev-app',
        apiBase: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1$/),
      })
      expect(started['appSecret']).toMatch(/^[0-9a-f]{64}$/)

      const generated = join(dir, 'generated')
      writeFileSync(generated, String(started['appSecret']), {mode: 0o600})
      const out = await runR58([...check(String(started['apiBase']), generated, 'dev-app'), '--json'])
      expect(JSON.parse(out.stdout)).toMatchObject({ok: true, exitCode: 0})
    } finally {
      child.kill('SIGINT')
    }
    expect(await child.exited).toBe(0)
    expect(child.events.at(-1)).toMatchObject({event: 'calls.emulator.stopped'})
    expect(child.stderr()).toBe('')
  })
})
