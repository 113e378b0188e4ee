/**
 * Cold start: `r58 --version`, `r58 --help`, topic help and `r58 <command> --help` must not load werift, undici
 * or the simulators (src/sim): command files import them inside run(). Installed (with oclif.manifest.json), help
 * loads no command module at all, nor chalk or ora: oclif renders it from the manifest (src/cli/cli-help.ts),
 * and that text must be the one stock oclif prints (which loads the command first). Checked with a
 * module-resolution trace of fresh processes; how fast a cold start is goes in `npm run bench`.
 */
import {execFile, spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {promisify} from 'node:util'
import {Config, Help} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../support/cli.js'

const HEAVY = [/\/node_modules\/werift\//, /\/node_modules\/undici\//, /\/src\/sim\//]
/** What help never needs once oclif has the manifest: the command modules and what they import. */
const NOT_FOR_HELP = [
  ...HEAVY,
  /\/dist\/commands\//,
  /\/node_modules\/chalk\//,
  /\/node_modules\/ora\//,
  /\/dist\/src\/config\//,
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

/** `commands/probe/turn.ts` → ['probe', 'turn'] */
const commandArgv = (file: string) => relative(join(ROOT, 'commands'), file).replace(/\.ts$/, '').split('/')
const topics = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: {topics: Record<string, unknown>}}).oclif
    .topics,
)

/** Runs node with the import trace; returns the lines of the trace. */
function traced(args: string[], nodeArgs = ['--import', 'tsx']): Promise<{lines: string[]; exitCode: number | null}> {
  const out = join(mkdtempSync(join(tmpdir(), 'r58-trace-')), 'modules.txt')
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', join(ROOT, 'test/support/import-trace.mjs'), ...args],
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

/**
 * r58 as installed: package.json, bin/run.js and a fresh oclif.manifest.json (written by `oclif manifest`, as
 * `npm ci` and `npm pack` do) in a temporary directory, dist/ and node_modules/ linked from this clone (the cli
 * tests run after `npm run build`).
 */
async function installedRoot(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'r58-installed-'))
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'))
  mkdirSync(join(root, 'bin'))
  copyFileSync(join(ROOT, 'bin/run.js'), join(root, 'bin/run.js'))
  symlinkSync(join(ROOT, 'dist'), join(root, 'dist'))
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/oclif/bin/run.js'), 'manifest'], {
    cwd: root,
    env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
  })
  return root
}

const matching = (patterns: RegExp[]) => (url: string) => patterns.some((pattern) => pattern.test(url))

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
      else if (matching(HEAVY)(line))
        offenders.set(current, [...(offenders.get(current) ?? []), line.replace(/^.*\/(node_modules|src)\//, '$1/')])
    }
    expect(Object.fromEntries([...offenders].map(([file, urls]) => [file, urls.slice(0, 3)]))).toEqual({})
  })

  it.concurrent.each(['--version', '--help', 'relay --help', 'probe turn --help'])(
    'r58 %s (sources, bin/dev.js)',
    async (line) => {
      const {lines, exitCode} = await traced([join(ROOT, 'bin/dev.js'), ...line.split(' ')])
      expect(exitCode).toBe(0)
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.filter(matching(HEAVY)).slice(0, 3)).toEqual([])
    },
  )
})

describe('installed, help comes from the manifest', () => {
  let root = ''
  beforeAll(async () => {
    root = await installedRoot()
  }, 60_000)

  it.concurrent.each([
    '--version',
    '--help',
    ...topics.map((topic) => `${topic} --help`),
    ...commandFiles().map((file) => `${commandArgv(file).join(' ')} --help`),
  ])('r58 %s loads no command module, chalk, ora or settings', async (line) => {
    const {lines, exitCode} = await traced([join(root, 'bin/run.js'), ...line.split(' ')], [])
    expect(exitCode).toBe(0)
    // The trace sees the process's imports: for help, r58's help class.
    const seen = line === '--version' ? '/bin/run.js' : '/dist/src/cli/cli-help.js'
    expect(lines.some((url) => url.endsWith(seen))).toBe(true)
    expect(lines.filter(matching(NOT_FOR_HELP)).slice(0, 3)).toEqual([])
  })

  it("r58's help is stock oclif's: the root, every topic and every command (stock loads the command)", async () => {
    const {default: CliHelp} = (await import(join(root, 'dist/src/cli/cli-help.js'))) as {default: typeof Help}
    // A Config of its own for each: oclif's topic help changes the Config it is given.
    const render = async (HelpClass: typeof Help, argv: string[]) => {
      const config = await Config.load({root})
      return (await captureOutput(() => new HelpClass(config).showHelp(argv))).stdout
    }
    const config = await Config.load({root})
    const ids = config.commands.filter((command) => command.pluginName === 'r58').map((command) => command.id)
    expect(ids.length).toBe(commandFiles().length)
    // It compares something: stock oclif loads the commands whose defaults' text it computes (`--timeout`: 3s).
    expect(config.commands.filter((command) => command.hasDynamicHelp).length).toBeGreaterThan(5)
    for (const argv of [[], ...topics.map((topic) => [topic]), ...ids.map((id) => id.split(':'))]) {
      const ours = await render(CliHelp, argv)
      expect(ours.length, argv.join(' ')).toBeGreaterThan(100)
      expect(ours, argv.join(' ')).toBe(await render(Help, argv))
    }
  }, 120_000)
})
