/**
 * The README as a newcomer follows it, from `git clone` of this repository (its HEAD) into a temporary folder:
 * the quick start (`npm ci && npm start`, `npm test`), the Install section (pack, install the tarball globally,
 * run `r58`), then README examples that run on loopback, against the installed package.
 *
 * Lines run as written through bash; only the environment differs: npm installs "globally" into a temporary
 * prefix (npm_config_prefix) and prefers its local cache (npm_config_prefer_offline), and config and cache
 * directories are temporary. `npm test` runs one test file, not the whole suite, which includes this test.
 */
import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../support/cli.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The commands of the README's first `sh` block after `heading` (or of the first block), comments dropped. */
function block(heading?: string): string[] {
  const from = heading === undefined ? 0 : README.indexOf(heading)
  expect(from, `README section ${heading}`).toBeGreaterThanOrEqual(0)
  const start = README.indexOf('```sh\n', from) + '```sh\n'.length
  const text = README.slice(start, README.indexOf('\n```', start))
  return text.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim())
}

const work = mkdtempSync(join(tmpdir(), 'r58-clone-'))
const clone = join(work, 'r58')
const prefix = join(work, 'prefix')
const env: Record<string, string> = {}
for (const [key, value] of Object.entries(process.env)) {
  if (value !== undefined && !key.startsWith('R58_') && !key.startsWith('npm_') && !key.startsWith('VITEST')) {
    env[key] = value
  }
}
Object.assign(env, {
  PATH: `${join(prefix, 'bin')}:${env['PATH']}`,
  npm_config_prefix: prefix,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  XDG_CONFIG_HOME: join(work, 'config'),
  XDG_CACHE_HOME: join(work, 'cache'),
  NODE_ENV: '',
})

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** One README line through bash in the clone. */
function sh(line: string, timeoutMs = 600_000): Promise<Run> {
  const child = spawn('bash', ['-c', line], {cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    }),
  )
}

const ran = new Set<string>()
async function readmeLine(line: string): Promise<Run> {
  const run = await sh(line)
  ran.add(line)
  expect(run.code, `${line}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`).toBe(0)
  return run
}

beforeAll(() => {
  mkdirSync(prefix, {recursive: true})
  execFileSync('git', ['clone', '--quiet', ROOT, clone])
})
afterAll(() => rmSync(work, {recursive: true, force: true}))

describe('README from a fresh clone', () => {
  const quickStart = block()
  const install = block('## Install')

  it('quick start: npm ci && npm start', async () => {
    expect(quickStart[0]).toBe('npm ci && npm start')
    const run = await readmeLine(quickStart[0] as string)
    expect(run.stdout).toMatch(/Which way can a guest reach MediaMTX/)
    expect(run.stdout).toMatch(/Recommendation:/)
    ran.add('npm ci')
  })

  it('npm ci leaves a working ./bin/run.js', async () => {
    const run = await sh('./bin/run.js diagnose --help')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^USAGE/m)
  })

  it('npm test provisions, then runs vitest', async () => {
    expect(quickStart[1]).toBe('npm test')
    await readmeLine('npm test -- test/cli/provision.test.ts')
  })

  it('Install: every line, from the packed tarball', async () => {
    expect(install).toEqual(['npm ci', 'npm pack', 'npm install -g ./r58-*.tgz', 'r58 --help', 'r58 autocomplete'])
    for (const line of install) {
      if (!ran.has(line)) await readmeLine(line)
    }
    const help = await readmeLine('r58 --help')
    expect(help.stdout).toMatch(/^TOPICS/m)
    expect(help.stdout).toMatch(/diagnose/)
    expect(execFileSync(join(prefix, 'bin', 'r58'), ['--version'], {env, encoding: 'utf8'})).toMatch(
      /^r58\/0\.\d+\.\d+ /,
    )
  })

  it('the tarball ships a LICENSE, a repository, no bin/dev.js, no source maps', () => {
    const tarball = readdirSync(clone).find((name) => /^r58-.*\.tgz$/.test(name)) as string
    const files = execFileSync('tar', ['tzf', join(clone, tarball)], {encoding: 'utf8'}).split('\n')
    expect(files).toEqual(
      expect.arrayContaining(['package/LICENSE', 'package/bin/run.js', 'package/oclif.manifest.json']),
    )
    expect(files.filter((file) => file.endsWith('.map') || file === 'package/bin/dev.js')).toEqual([])
    const manifest = JSON.parse(
      execFileSync('tar', ['xzOf', join(clone, tarball), 'package/package.json'], {encoding: 'utf8'}),
    ) as {repository?: {url?: string}}
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//)
  })

  it('the installed package has two entry points: r58 (the product) and r58/sim (the simulators)', () => {
    const consumer = join(work, 'consumer')
    mkdirSync(join(consumer, 'node_modules'), {recursive: true})
    symlinkSync(join(prefix, 'lib', 'node_modules', 'r58'), join(consumer, 'node_modules', 'r58'))
    const script = [
      "const product = await import('r58')",
      "const sim = await import('r58/sim')",
      'console.log(JSON.stringify({product: Object.keys(product), sim: Object.keys(sim)}))',
    ].join('; ')
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {cwd: consumer, encoding: 'utf8'})
    const {product, sim} = JSON.parse(out) as {product: string[]; sim: string[]}
    expect(product).toEqual(expect.arrayContaining(['probeWhip', 'diagnose', 'CallsClient']))
    expect(product).not.toContain('startCallsEmulator')
    expect(sim).toEqual(expect.arrayContaining(['startCallsEmulator', 'startMediamtxStandin', 'startLab']))
  })

  it.each([
    ['## Quickstart', 'r58 diagnose --lab', /"schemaVersion": 1/, ' --json'],
    ['## Configuration', 'r58 config init', /r58/, ''],
    ['## Configuration', 'r58 config show', /mediamtx\.url/, ''],
  ])('README example (%s): %s, installed', async (section, line, output, extra) => {
    expect(block(section)).toContain(line)
    const run = await sh(`${line}${extra}`)
    expect([0, 3], run.stderr).toContain(run.code)
    expect(run.stdout).toMatch(output)
  })

  it('README example: r58 calls emulate, installed, until Ctrl-C', async () => {
    expect(block('### Offline: the local Calls emulator')).toContain('r58 calls emulate')
    const child = spawn('r58', ['calls', 'emulate'], {cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    const deadline = Date.now() + 60_000
    while (!/127\.0\.0\.1:8787/.test(stdout) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    child.kill('SIGINT')
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(stdout).toMatch(/127\.0\.0\.1:8787/)
    expect(code).toBe(0)
  })
})
