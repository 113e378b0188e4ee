/**
 * `configure --write` on a real filesystem: owner, mode and symlinks kept, a backup made, no stray files;
 * refused when the file changed since it was read; concurrent writers queue on the lock and no update is
 * lost; a lock left by a dead writer is taken over, one held by a live one makes the writer give up cleanly.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {configureMediamtx} from '../../../src/mediamtx/configure.js'
import {lockPathOf} from '../../../src/mediamtx/file-lock.js'
import {deadPid} from '../../support/dead-pid.js'
import {fixture} from '../../support/mediamtx.js'

const V120 = fixture('v1.20.1.yml')
const fresh = () => mkdtempSync(join(tmpdir(), 'r58-write-'))
const host = (h: string) => [{op: 'add-host' as const, host: h}]
const hostsOf = (path: string) =>
  /^webrtcAdditionalHosts: \[(.*)\]$/m.exec(readFileSync(path, 'utf8'))?.[1]?.split(', ') ?? []

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** A process that stays alive (its pid stands for another r58 holding the lock). */
function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {stdio: 'ignore'})
  children.push(child)
  return child
}

describe('configure --write', () => {
  it('replaces the file keeping its mode, keeps a backup and leaves no stray files', async () => {
    const dir = fresh()
    const path = join(dir, 'mediamtx.yml')
    writeFileSync(path, V120)
    chmodSync(path, 0o640)
    const result = await configureMediamtx({
      file: path,
      operations: host('100.64.0.5'),
      write: true,
      now: () => new Date('2026-11-25T10:11:12Z'),
    })
    expect(result).toMatchObject({written: true, noop: false, backupPath: `${path}.20261125T101112Z.1.bak`})
    expect(statSync(path).mode & 0o777).toBe(0o640)
    expect(readFileSync(`${path}.20261125T101112Z.1.bak`, 'utf8')).toBe(V120)
    expect(hostsOf(path)).toEqual(['100.64.0.5'])
    expect(readdirSync(dir).sort()).toEqual(['mediamtx.yml', 'mediamtx.yml.20261125T101112Z.1.bak'])
    const again = await configureMediamtx({file: path, operations: host('100.64.0.5'), write: true})
    expect(again).toMatchObject({written: false, noop: true, backupPath: null, diff: ''})
  })

  it('edits a symlinked config at its target and keeps the link', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'real.yml'), V120)
    symlinkSync(join(dir, 'real.yml'), join(dir, 'mediamtx.yml'))
    await configureMediamtx({
      file: join(dir, 'mediamtx.yml'),
      operations: host('100.64.0.5'),
      write: true,
      backup: false,
    })
    expect(lstatSync(join(dir, 'mediamtx.yml')).isSymbolicLink()).toBe(true)
    expect(hostsOf(join(dir, 'real.yml'))).toEqual(['100.64.0.5'])
  })

  it('refuses when the file changed since it was read, and keeps the other change', async () => {
    const dir = fresh()
    const path = join(dir, 'mediamtx.yml')
    writeFileSync(path, V120)
    const theirs = V120.replace('logLevel: info', 'logLevel: debug')
    const error = await configureMediamtx({
      file: path,
      operations: host('100.64.0.5'),
      write: true,
      beforeReplace: async () => writeFileSync(path, theirs),
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_FILE_CONFLICT', exitCode: 6, text: expect.stringContaining('changed since')})
    expect(readFileSync(path, 'utf8')).toBe(theirs)
    expect(readdirSync(dir)).toEqual(['mediamtx.yml'])
  })

  it('queues concurrent writers on the lock: every update lands', async () => {
    const dir = fresh()
    const path = join(dir, 'mediamtx.yml')
    writeFileSync(path, V120)
    const hosts = ['100.64.0.1', '100.64.0.2', '100.64.0.3', '100.64.0.4', '100.64.0.5', '100.64.0.6']
    await Promise.all(
      hosts.map((h) => configureMediamtx({file: path, operations: host(h), write: true, backup: false})),
    )
    expect(hostsOf(path).sort()).toEqual(hosts)
  })

  it('gives up cleanly while a live writer holds the lock, leaving the file as it was', async () => {
    const dir = fresh()
    const path = join(dir, 'mediamtx.yml')
    writeFileSync(path, V120)
    const other = liveProcess()
    const lock = lockPathOf(path)
    writeFileSync(lock, JSON.stringify({pid: other.pid, host: hostname(), since: Date.now(), token: 'theirs'}))
    const error = await configureMediamtx({
      file: path,
      operations: host('100.64.0.5'),
      write: true,
      lock: {timeoutMs: 150},
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'E_FILE_CONFLICT',
      exitCode: 6,
      text: expect.stringContaining(`pid ${other.pid}`),
    })
    expect(readFileSync(path, 'utf8')).toBe(V120)
    expect(readFileSync(lock, 'utf8')).toContain('theirs')
  })

  it('takes over a lock whose writer died, and cleans up the temporary files it left', async () => {
    const dir = fresh()
    const path = join(dir, 'mediamtx.yml')
    writeFileSync(path, V120)
    const pid = await deadPid()
    writeFileSync(lockPathOf(path), JSON.stringify({pid, host: hostname(), since: Date.now(), token: 'dead'}))
    writeFileSync(join(dir, `.mediamtx.yml.${pid}.0a1b2c3d.tmp`), 'half a file')
    writeFileSync(join(dir, `.mediamtx.yml.r58.lock.${pid}.0a1b2c3d.tmp`), '{}')
    await configureMediamtx({
      file: path,
      operations: host('100.64.0.5'),
      write: true,
      backup: false,
      lock: {timeoutMs: 2000},
    })
    expect(hostsOf(path)).toEqual(['100.64.0.5'])
    expect(readdirSync(dir)).toEqual(['mediamtx.yml'])
  })

  it('a dry run reads without taking the lock and writes nothing', async () => {
    const dir = fresh()
    const path = join(dir, 'mediamtx.yml')
    writeFileSync(path, V120)
    const other = liveProcess()
    writeFileSync(lockPathOf(path), JSON.stringify({pid: other.pid, host: hostname(), since: Date.now(), token: 't'}))
    const result = await configureMediamtx({file: path, operations: host('100.64.0.5')})
    expect(result).toMatchObject({written: false, noop: false})
    expect(result.diff).toContain('+webrtcAdditionalHosts: [100.64.0.5]')
    expect(readFileSync(path, 'utf8')).toBe(V120)
  })
})
