/**
 * Errors that help: a mistyped command suggests the right one, topic help describes the topic, usage errors are
 * one line built from oclif's error objects, a missing file is a config error (6), and warnings reach --json.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT, runR58, spawnR58} from '../support/cli.js'

const topics = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    oclif: {topics: Record<string, {description: string}>}
  }
).oclif.topics

describe('a mistyped command', () => {
  it.each([
    [['diagnos'], 'r58 diagnose'],
    [['probe', 'turm'], 'r58 probe turn'],
    [['relai', 'status'], 'r58 relay status'],
  ])('r58 %j suggests `%s` and exits 2', async (argv, suggestion) => {
    const run = await runR58(argv)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`Did you mean \`${suggestion}\`?`)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('says so in the envelope under --json', async () => {
    const run = await runR58(['probe', 'turm', '--json'])
    expect(run.exitCode).toBe(2)
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      exitCode: 2,
      error: {code: 'E_USAGE', hint: 'Did you mean `r58 probe turn`?'},
    })
  })
})

// Own processes: oclif's in-process topic help leaves the shared Config unable to find that topic's commands.
describe('topic help', () => {
  it.concurrent.each(Object.entries(topics))(
    'r58 %s --help starts with the topic’s own summary',
    async (topic, {description}) => {
      const run = await spawnR58([topic, '--help'])
      expect(run.exitCode).toBe(0)
      expect(run.stdout.split('\n')[0]).toBe(description)
    },
  )
})

describe('usage errors', () => {
  it.each([
    [['probe', 'whip'], /^Error: Missing required argument URL\. URL: WHIP endpoint .* See `r58 probe whip --help`\.$/],
    [['relay', 'pull', '--track', 'cam', '--path', 'p'], /^Error: Missing required flag --session\. See/],
    [['probe', 'stun', '--timeout'], /^Error: Flag --timeout expects a value\. See/],
    [
      ['config', 'show', '--calls-app-idd', 'x'],
      /^Error: Unknown flag --calls-app-idd\. Did you mean --calls-app-id\? See/,
    ],
  ])('r58 %j: one line, exit 2', async (argv, line) => {
    const run = await runR58(argv)
    expect(run.exitCode).toBe(2)
    expect(run.stderr.trim()).toMatch(line)
  })
})

describe('exit codes', () => {
  it('mediamtx standin -f missing.yml is a config error (6), not a bug', async () => {
    const run = await runR58(['mediamtx', 'standin', '-f', join(ROOT, 'missing.yml'), '--json'])
    expect(run.exitCode).toBe(6)
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: {code: 'E_MEDIAMTX_CONFIG', message: expect.stringMatching(/missing.yml: no such file/)},
    })
  })
})

describe('warnings', () => {
  it('a secret on argv warns on stderr, and in the envelope under --json', async () => {
    const human = await runR58(['config', 'show', '--calls-app-secret', 's3cr3t-value'])
    expect(human.stderr).toMatch(/^Warning: --calls-app-secret on the command line is visible/m)
    const json = await runR58(['config', 'show', '--calls-app-secret', 's3cr3t-value', '--json'])
    expect(json.stderr).toBe('')
    expect((JSON.parse(json.stdout) as {warnings?: string[]}).warnings).toEqual([
      expect.stringMatching(/^--calls-app-secret on the command line is visible/),
    ])
  })
})
