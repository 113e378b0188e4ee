/**
 * `npm test` provisions what the tests need from the same script as .ci/run. Not root, it installs nothing and
 * says in one line what to run. (As root it installs with apt-get, which .ci/run exercises on every CI run.)
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, cpSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {ROOT} from '../support/cli.js'

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {scripts: Record<string, string>}

describe('test provisioning', () => {
  it('npm test and .ci/run provision with the same script', () => {
    expect(packageJson.scripts['pretest']).toBe('.ci/provision.sh')
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^\.ci\/provision\.sh$/m)
  })

  it('not root: one line naming what is missing and the exact command to run', () => {
    // A copy an unprivileged user can reach (not under the run's private TMPDIR), with a HOME where the interop
    // server is not unpacked.
    const dir = mkdtempSync('/tmp/r58-provision-')
    onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
    cpSync(join(ROOT, '.ci'), join(dir, '.ci'), {recursive: true})
    chmodSync(dir, 0o755)
    const home = join(dir, 'home')
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []
    const argv = [...asUser, 'env', `HOME=${home}`, 'PATH=/usr/bin:/bin', 'bash', join(dir, '.ci/provision.sh')]
    const run = spawnSync(argv[0] as string, argv.slice(1), {encoding: 'utf8'})
    expect(run.status).toBe(0)
    const lines = run.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^r58 tests: .*simple-whip-server.* missing; install with: sudo env HOME=\S+ \S+\/\.ci\/provision\.sh$/,
    )
    // The command it prints is a real script path.
    const command = (lines[0] as string).split('install with: ')[1] as string
    expect(execFileSync('bash', ['-n', command.split(' ').at(-1) as string])).toBeDefined()
  })
})
