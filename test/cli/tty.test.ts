/**
 * Spinners only where a person is watching: `r58 diagnose` under a real pseudo-terminal (util-linux `script`,
 * part of every Debian install) shows its "checking: …" spinner on stderr; with --json or CI set it does not.
 * Nothing answers on the ports used, so each run ends in about a second, talking to loopback only.
 */
import {spawn, spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {isolatedConfigHome, ROOT} from '../support/cli.js'
import {closedPort} from '../support/http-server.js'

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`

/** Runs `r58 diagnose …` with stdout and stderr on a pseudo-terminal: what the terminal showed, and the exit code. */
async function diagnoseOnTerminal(
  extra: string[],
  env: Record<string, string>,
  columns: number,
): Promise<{shown: string; code: number | null}> {
  const port = await closedPort()
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    `${ROOT}/bin/dev.js`,
    'diagnose',
    '--mediamtx-url',
    `http://127.0.0.1:${port}`,
    '--relay-url',
    `http://127.0.0.1:${port}`,
    '--timeout',
    '2s',
    ...extra,
  ]
  const clean: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('R58_') && key !== 'CI' && key !== 'NO_COLOR') clean[key] = value
  }
  // script's terminal has no size until told; a person's terminal has one.
  const command = `stty cols ${columns} rows 40; ${argv.map(quote).join(' ')}`
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: ROOT,
    env: {...clean, XDG_CONFIG_HOME: isolatedConfigHome(), TERM: 'xterm-256color', FORCE_COLOR: '0', ...env},
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let shown = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    shown += chunk
  })
  // A command that never ends is a failure to report, not a test timeout that leaves it running.
  const limit = setTimeout(() => child.kill('SIGTERM'), 40_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(limit)
  return {shown, code}
}

describe('progress spinners', () => {
  it('has util-linux script to give the command a terminal', () => {
    expect(spawnSync('script', ['--version']).status, 'install util-linux (bsdutils)').toBe(0)
  })

  it.each([
    {name: 'on a terminal', extra: [], env: {}, columns: 120, spinner: true},
    {name: 'with --json', extra: ['--json'], env: {}, columns: 120, spinner: false},
    {name: 'with CI set', extra: [], env: {CI: 'true'}, columns: 120, spinner: false},
    {name: 'with NO_COLOR set', extra: [], env: {NO_COLOR: '1'}, columns: 120, spinner: false},
    // ora divides by the width: on a zero-column terminal it used to clear lines forever and never exit.
    {name: 'on a terminal nobody sized', extra: [], env: {}, columns: 0, spinner: false},
  ])(
    '$name: spinner shown = $spinner',
    async ({extra, env, columns, spinner}) => {
      const {shown, code} = await diagnoseOnTerminal(extra, env, columns)
      // The command ran to its report and its exit code (3: nothing reachable) either way.
      expect(code).toBe(3)
      expect(shown).toMatch(/LAN|"schemaVersion"/)
      expect(shown.includes('checking: ')).toBe(spinner)
    },
    60_000,
  )
})
