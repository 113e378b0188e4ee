/** A real r58 process, as a shell script or CI job sees it: exit status, streams, colour. */
import {describe, expect, it} from 'vitest'
import {spawnR58} from '../support/cli.js'

describe('r58 as a process', () => {
  it('prints its version', async () => {
    const out = await spawnR58(['--version'])
    expect(out.exitCode).toBe(0)
    expect(out.stdout).toMatch(/^r58\/\d+\.\d+\.\d+/)
  })

  it('exits 2 on an unknown flag with one line on stderr and nothing on stdout', async () => {
    const out = await spawnR58(['config', 'show', '--nope'])
    expect(out.exitCode).toBe(2)
    expect(out.stdout).toBe('')
    expect(out.stderr.trimEnd().split('\n')).toEqual(['Error: Unknown flag --nope. See `r58 config show --help`.'])
  })

  it('keeps stdout pure JSON and stderr empty under --json, and exits with the error class', async () => {
    const out = await spawnR58(['config', 'show', '--json'], {env: {R58_RELAY_LISTEN: 'nonsense'}})
    expect(out.exitCode).toBe(6)
    expect(out.stderr).toBe('')
    expect(JSON.parse(out.stdout)).toMatchObject({ok: false, exitCode: 6, error: {code: 'E_CONFIG'}})
  })

  it('honours R58_CONTENT_TYPE=json like --json', async () => {
    const out = await spawnR58(['config', 'show'], {env: {R58_CONTENT_TYPE: 'json'}})
    expect(JSON.parse(out.stdout)).toMatchObject({schemaVersion: 1, command: 'config show'})
  })

  it.each([
    {env: {FORCE_COLOR: '1'}, colour: true},
    {env: {FORCE_COLOR: '1', NO_COLOR: '1'}, colour: true},
    {env: {NO_COLOR: '1'}, colour: false},
    {env: {}, colour: false}, // not a TTY
  ])('colour with $env: $colour', async ({env, colour}) => {
    const out = await spawnR58(['config', 'show'], {env: {FORCE_COLOR: undefined as unknown as string, ...env}})
    expect(out.stdout.includes('\u001b[')).toBe(colour)
  })
})
