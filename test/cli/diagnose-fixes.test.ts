/**
 * Every fix `r58 diagnose` prints as a command runs as printed: shell words exactly as bash and zsh split them,
 * with the settings the engineer gave diagnose on its command line carried over. Each `r58 …` fix is run
 * (`relay start` with --dry-run, which checks everything and exits); none may be a usage error (exit 2).
 * And with MediaMTX down, the report leads with that, not with fixes for options it could not judge.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {runR58} from '../support/cli.js'
import {closedPort} from '../support/http-server.js'

/** POSIX shell words of the single-quoted form r58 prints (`'it'\''s'`), no expansion. */
function shellWords(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (ch === "'") {
      const end = line.indexOf("'", i + 1)
      word = (word ?? '') + line.slice(i + 1, end)
      i = end
    } else if (ch === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '')
      i++
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else {
      // Anything the shell would treat specially must have been quoted.
      expect('?*[]<>|&;$`"(){}!#~'.includes(ch), `unquoted ${ch} in: ${line}`).toBe(false)
      word = (word ?? '') + ch
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

interface Fixes {
  report: {recommendation: {text: string; fix?: string}; checks: {id: string; fix?: string}[]}
  commands: string[]
  stdout: string
}

async function diagnoseFixes(argv: string[]): Promise<Fixes> {
  const json = await runR58(['diagnose', ...argv, '--json'])
  const report = JSON.parse(json.stdout).result as Fixes['report'] & {options: {fix?: string}[]}
  const all = [...report.checks.map((c) => c.fix), ...report.options.map((o) => o.fix), report.recommendation.fix]
  const human = await runR58(['diagnose', ...argv])
  return {
    report,
    commands: [...new Set(all.filter((f): f is string => f?.startsWith('r58 ') === true))],
    stdout: human.stdout,
  }
}

let dir: string
let down: number
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r58-fixes-'))
  writeFileSync(join(dir, 'media mtx.yml'), 'webrtcLocalUDPAddress: :8189\npaths:\n  all_others:\n')
  writeFileSync(join(dir, 'turn password'), 'secret-turn-password\n', {mode: 0o600})
  writeFileSync(join(dir, 'calls-secret'), 'calls-secret-value\n', {mode: 0o600})
  writeFileSync(join(dir, 'relay-token'), 'relay-token-of-24-characters\n', {mode: 0o600})
  down = await closedPort()
})

describe('diagnose with MediaMTX and the relay down', () => {
  it('leads with "MediaMTX is not reachable", and every printed r58 fix runs as printed', async () => {
    const turnUrl = `turn:127.0.0.1:${down}?transport=udp`
    const {report, commands, stdout} = await diagnoseFixes([
      '--mediamtx-url',
      `http://127.0.0.1:${down}`,
      '--relay-url',
      `http://127.0.0.1:${down}`,
      '--file',
      join(dir, 'media mtx.yml'),
      '--turn-urls',
      turnUrl,
      '--turn-username',
      'guest user',
      '--turn-credential-file',
      join(dir, 'turn password'),
      '--calls-app-id',
      'app-one',
      '--calls-app-secret-file',
      join(dir, 'calls-secret'),
      '--calls-api-base',
      `http://127.0.0.1:${down}/v1`,
      '--relay-token-file',
      join(dir, 'relay-token'),
      '--timeout',
      '3s',
    ])
    expect(report.recommendation.text).toMatch(
      new RegExp(`^MediaMTX is not reachable at http://127\\.0\\.0\\.1:${down}`),
    )
    expect(stdout.split('\n')[0]).toMatch(/^MediaMTX is not reachable at/)
    // A fix for TURN on MediaMTX (from its file) and one that starts the relay, both with diagnose's settings.
    expect(commands).toContain(
      `r58 mediamtx configure --file '${join(dir, 'media mtx.yml')}' --turn '${turnUrl}' --turn-username 'guest user' --turn-credential-file '${join(dir, 'turn password')}' --write`,
    )
    expect(
      commands.some((c) => c.startsWith(`r58 relay start --relay-listen 127.0.0.1:${down} --calls-app-id app-one`)),
    ).toBe(true)
    expect(commands.length).toBeGreaterThanOrEqual(2)
    for (const command of commands) {
      const words = shellWords(command).slice(1)
      const argv = words[0] === 'relay' && words[1] === 'start' ? [...words, '--dry-run'] : words
      const out = await runR58(argv)
      expect(out.exitCode, `${command}\n${out.stderr}`).not.toBe(2)
      expect(out.exitCode, `${command}\n${out.stderr}`).toBe(0)
    }
  })

  it('prints no relay start without Calls settings: it would exit 2', async () => {
    const {commands, report} = await diagnoseFixes([
      '--mediamtx-url',
      `http://127.0.0.1:${down}`,
      '--relay-url',
      `http://127.0.0.1:${down}`,
      '--timeout',
      '3s',
    ])
    expect(commands.filter((c) => c.startsWith('r58 relay start'))).toEqual([])
    expect(report.checks.find((c) => c.id === 'calls.relay.health')?.fix).toMatch(/needs a Calls app first/)
    for (const command of commands) {
      expect((await runR58(shellWords(command).slice(1))).exitCode, command).not.toBe(2)
    }
  })
})
