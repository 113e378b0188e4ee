/**
 * Help examples that talk to the local Calls emulator run as written: the emulator is started as its own help
 * example says (on a free port instead of 8787), in a folder with the files the examples name, and every help
 * example that targets http://127.0.0.1:8787 then runs against it, with only the port changed.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Config} from '@oclif/core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedConfigHome, ROOT} from '../support/cli.js'

const config = await Config.load({root: ROOT})
const examples = config.commands.flatMap((command) =>
  (command.examples ?? []).map((example) =>
    (typeof example === 'string' ? example : example.command)
      .replaceAll('<%= config.bin %>', 'r58')
      .replaceAll('<%= command.id %>', command.id.replaceAll(':', ' ')),
  ),
)
const EMULATOR = 'r58 calls emulate --calls-app-id dev-app'
const emulatorLine = examples.find((line) => line.startsWith(EMULATOR)) as string
const againstEmulator = examples.filter((line) => line.includes('http://127.0.0.1:8787'))

const dir = mkdtempSync(join(tmpdir(), 'r58-examples-'))
const env: NodeJS.ProcessEnv = {...process.env, XDG_CONFIG_HOME: isolatedConfigHome(), CI: 'true'}
for (const key of Object.keys(env)) if (key.startsWith('R58_')) delete env[key]

/** `r58 …` words of an example line: split at spaces, `""` is an empty word (no example needs more of a shell). */
const words = (line: string) =>
  line
    .split(/\s+/)
    .slice(1)
    .map((word) => (word === '""' ? '' : word))

function r58(argv: string[]): ChildProcess {
  // tsx by its path: the examples run in their own folder, outside the repository.
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'bin/dev.js'), ...argv], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

let emulator: ChildProcess | undefined
let port = 0

beforeAll(async () => {
  writeFileSync(join(dir, 'calls-secret'), 'dev-secret-0123456789\n')
  writeFileSync(join(dir, 'coturn-secret'), 'coturn-shared-secret\n')
  writeFileSync(join(dir, 'turn-token'), 'emu-token-0123456789\n')
  writeFileSync(join(dir, 'relay-token'), 'relay-token-0123456789abcdef\n')
  emulator = r58([...words(emulatorLine), '--listen', '127.0.0.1:0', '--json'])
  let out = ''
  port = await new Promise<number>((resolve, reject) => {
    emulator?.stdout?.on('data', (chunk) => {
      out += chunk
      const started = /"apiBase":"http:\/\/127\.0\.0\.1:(\d+)\/v1"/.exec(out)
      if (started) resolve(Number(started[1]))
    })
    emulator?.on('close', (code) => reject(new Error(`emulator exited ${code}: ${out}`)))
  })
}, 60_000)
afterAll(() => {
  emulator?.kill('SIGINT')
})

describe('help examples against the local emulator', () => {
  it('finds the emulator example and the examples that use it', () => {
    expect(emulatorLine).toContain('--turn-key-id emu-key --turn-key-token-file ./turn-token')
    expect(againstEmulator.map((line) => words(line).slice(0, 2).join(' '))).toEqual(
      expect.arrayContaining(['calls check', 'turn credentials']),
    )
  })

  it.each(againstEmulator)(
    '%s',
    async (line) => {
      const argv = words(line.replaceAll('127.0.0.1:8787', `127.0.0.1:${port}`))
      // A server (relay start) runs until Ctrl-C: on a free port, stopped once it has started.
      const server = argv[0] === 'relay' && argv[1] === 'start'
      const child = r58(server ? [...argv, '--relay-listen', '127.0.0.1:0'] : argv)
      let stderr = ''
      let stdout = ''
      child.stderr?.on('data', (chunk) => {
        stderr += chunk
      })
      child.stdout?.on('data', (chunk) => {
        stdout += chunk
        if (server && !child.killed && stdout.includes('"event":"relay.started"')) child.kill('SIGINT')
      })
      const code = await new Promise((resolve) => child.on('close', resolve))
      if (server) expect(stdout).toContain('"event":"relay.started"')
      // 3 is calls check's "media did not arrive", a verdict on a busy machine; usage, reach, auth or config
      // errors (2, 4, 5, 6) mean the example does not run as written.
      expect([0, 3], stderr).toContain(code)
      expect(stderr).not.toMatch(/Error:|deprecated/)
    },
    60_000,
  )
})
