/**
 * Cold start: `r58 --version`, `r58 --help`, topic help and `r58 <command> --help` must not load werift, undici
 * or the simulators (Calls emulator, MediaMTX stand-in, lab): command files import them inside run(). Checked with
 * a module-resolution trace of fresh processes; how fast a cold start is goes in `npm run bench`.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../support/cli.js'

const HEAVY = [
  /\/node_modules\/werift\//,
  /\/node_modules\/undici\//,
  /\/src\/calls\/emulator\//,
  /\/src\/mediamtx\/standin\//,
  /\/src\/lab\//,
]

function commandFiles(dir = join(ROOT, 'commands')): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory()
      ? commandFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )
}

/** Runs node with the import trace; returns the lines of the trace. */
function traced(args: string[]): Promise<{lines: string[]; exitCode: number | null}> {
  const out = join(mkdtempSync(join(tmpdir(), 'r58-trace-')), 'modules.txt')
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', join(ROOT, 'test/support/import-trace.mjs'), ...args],
    {cwd: ROOT, env: {...process.env, R58_IMPORT_TRACE: out}, stdio: 'ignore'},
  )
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode) => {
      let text = ''
      try {
        text = readFileSync(out, 'utf8')
      } catch {}
      resolve({lines: text.split('\n').filter(Boolean), exitCode})
    })
  })
}

const heavy = (url: string) => HEAVY.some((pattern) => pattern.test(url))

describe('cold start loads no heavy module', () => {
  it('no command file imports werift, undici or a simulator when it is loaded', async () => {
    const files = commandFiles()
    expect(files.length).toBeGreaterThan(15)
    const {lines, exitCode} = await traced([join(ROOT, 'test/support/import-commands.ts'), ...files])
    expect(exitCode).toBe(0)
    const offenders = new Map<string, string[]>()
    let current = ''
    for (const line of lines) {
      if (line.startsWith('# ')) current = line.slice(2).replace(`${ROOT}/`, '')
      else if (heavy(line))
        offenders.set(current, [...(offenders.get(current) ?? []), line.replace(/^.*\/(node_modules|src)\//, '$1/')])
    }
    expect(Object.fromEntries([...offenders].map(([file, urls]) => [file, urls.slice(0, 3)]))).toEqual({})
  })

  it.concurrent.each([['--version'], ['--help'], ['relay', '--help'], ['probe', 'turn', '--help']])(
    'r58 %s',
    async (...argv) => {
      const {lines, exitCode} = await traced([join(ROOT, 'bin/dev.js'), ...argv])
      expect(exitCode).toBe(0)
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.filter(heavy).slice(0, 3)).toEqual([])
    },
  )
})
