/**
 * Files that hold secrets, as the operator meets them: `config init --force` makes the file 0600 as it says,
 * `mediamtx configure --turn … --write` keeps the mode MediaMTX needs but warns (in the report, rendered, and
 * under --json) when the file is readable by others, backups are never more readable than their file, and a
 * read-only file is refused unless --force.
 */
import {chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runR58} from '../support/cli.js'
import {FIXTURE_DIR} from '../support/mediamtx.js'

const dir = mkdtempSync(join(tmpdir(), 'r58-modes-'))
const passwordFile = join(dir, 'turn-password')
writeFileSync(passwordFile, 'planted-turn-password\n', {mode: 0o600})

const modeOf = (path: string) => statSync(path).mode & 0o777
const backupsOf = (path: string) =>
  readdirSync(join(path, '..'))
    .filter((name) => name.endsWith('.bak'))
    .map((name) => join(path, '..', name))

function mediamtxYml(mode: number): string {
  const path = join(mkdtempSync(join(dir, 'm-')), 'mediamtx.yml')
  copyFileSync(join(FIXTURE_DIR, 'v1.20.1.yml'), path)
  chmodSync(path, mode)
  return path
}

const TURN = ['--turn', 'turn:turn.example.net:3478', '--turn-username', 'u', '--turn-password-file', passwordFile]

describe('config init --force', () => {
  it('over an existing 0644 file leaves mode 0600, as it says, and a backup no more readable', async () => {
    const path = join(mkdtempSync(join(dir, 'c-')), 'config.yaml')
    writeFileSync(path, 'calls:\n  appId: old\n')
    chmodSync(path, 0o644)
    const run = await runR58([
      'config',
      'init',
      '--force',
      '--config',
      path,
      '--calls-app-secret',
      'planted-calls-secret',
      '--json',
    ])
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.stdout).result).toMatchObject({mode: '0600', created: false})
    expect(readFileSync(path, 'utf8')).toContain('planted-calls-secret')
    expect(modeOf(path)).toBe(0o600)
    const [backup] = backupsOf(path)
    expect(modeOf(backup as string)).toBe(0o600)
  })
})

describe('mediamtx configure --turn --write', () => {
  it('warns that a 0644 file now holds a TURN password, keeps 0644, and says how to restrict it', async () => {
    const path = mediamtxYml(0o644)
    const run = await runR58(['mediamtx', 'configure', '-f', path, ...TURN, '--write', '--json'])
    expect(run.exitCode).toBe(0)
    const result = JSON.parse(run.stdout).result
    expect(result.warnings).toEqual([
      expect.objectContaining({
        id: 'mediamtx.file.secret-readable',
        message: expect.stringMatching(/holds a TURN password and is readable by other users \(mode 0644\)/),
        fix: expect.stringMatching(/chmod 600 .*mediamtx\.yml/),
      }),
    ])
    expect(modeOf(path)).toBe(0o644)
    expect(backupsOf(path).map(modeOf)).toEqual([0o600])
    expect(run.stdout).not.toContain('planted-turn-password')

    const human = await runR58(['mediamtx', 'configure', '-f', mediamtxYml(0o644), ...TURN, '--write'])
    expect(human.exitCode).toBe(0)
    expect(`${human.stdout}${human.stderr}`).toMatch(/Warning: .*holds a TURN password and is readable by other users/)
  })

  it('does not warn when the file is readable by its owner only', async () => {
    const path = mediamtxYml(0o600)
    const run = await runR58(['mediamtx', 'configure', '-f', path, ...TURN, '--write', '--json'])
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.stdout).result.warnings).toEqual([])
  })
})

describe('mediamtx configure on a read-only file', () => {
  it('refuses with exit 6 and changes nothing; --force writes it and keeps 0444', async () => {
    const path = mediamtxYml(0o444)
    const before = readFileSync(path, 'utf8')
    const refused = await runR58(['mediamtx', 'configure', '-f', path, '--add-host', '100.64.0.5', '--write', '--json'])
    expect(refused.exitCode).toBe(6)
    expect(JSON.parse(refused.stdout).error).toMatchObject({
      code: 'E_FILE_CONFLICT',
      message: expect.stringMatching(/read-only \(mode 0444\)/),
    })
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(backupsOf(path)).toEqual([])
    const forced = await runR58(['mediamtx', 'configure', '-f', path, '--add-host', '100.64.0.5', '--write', '--force'])
    expect(forced.exitCode).toBe(0)
    expect(readFileSync(path, 'utf8')).toContain('webrtcAdditionalHosts: [100.64.0.5]')
    expect(modeOf(path)).toBe(0o444)
  })
})
