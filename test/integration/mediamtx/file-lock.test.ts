import {existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {acquireFileLock, lockPathOf} from '../../../src/mediamtx/file-lock.js'
import {deadPid} from '../../support/dead-pid.js'

const info = (pid: number, token: string) => `${JSON.stringify({pid, host: hostname(), since: Date.now(), token})}\n`

interface Case {
  name: string
  /** Files left next to the target before a writer arrives. */
  leftovers: (lock: string, dead: number) => Record<string, string>
}

const cases: Case[] = [
  {name: 'nothing left', leftovers: () => ({})},
  {name: 'a lock whose owner was killed', leftovers: (lock, dead) => ({[lock]: info(dead, 'aaaa')})},
  {name: 'an unreadable lock', leftovers: (lock) => ({[lock]: '{half'})},
  {
    name: 'a lock and its .break, both owners killed',
    leftovers: (lock, dead) => ({[lock]: info(dead, 'aaaa'), [`${lock}.break`]: info(dead, 'bbbb')}),
  },
  {
    // Killed after removing the stale lock but before removing its own .break.
    name: 'only a .break whose owner was killed',
    leftovers: (lock, dead) => ({[`${lock}.break`]: info(dead, 'bbbb')}),
  },
]

describe('file lock after a crash', () => {
  it.each(cases)('$name: the next writer gets the lock and leaves nothing behind', async ({leftovers}) => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-lock-'))
    const target = join(dir, 'mediamtx.yml')
    writeFileSync(target, 'api: no\n')
    const lock = lockPathOf(target)
    for (const [path, text] of Object.entries(leftovers(lock, await deadPid()))) writeFileSync(path, text)

    const held = await acquireFileLock(target, {timeoutMs: 2000})
    expect(existsSync(lock)).toBe(true)
    expect(existsSync(`${lock}.break`)).toBe(false)
    await held.release()
    expect(readdirSync(dir)).toEqual(['mediamtx.yml'])
  })

  it('a live holder is waited for, then reported as a conflict naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-lock-'))
    const target = join(dir, 'mediamtx.yml')
    writeFileSync(target, 'api: no\n')
    const first = await acquireFileLock(target)
    await expect(acquireFileLock(target, {timeoutMs: 100, pollMs: 10})).rejects.toMatchObject({
      code: 'E_FILE_CONFLICT',
      field: target,
    })
    await first.release()
    const second = await acquireFileLock(target, {timeoutMs: 100})
    await second.release()
    expect(readdirSync(dir)).toEqual(['mediamtx.yml'])
  })

  it('a live .break holder is left alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-lock-'))
    const target = join(dir, 'mediamtx.yml')
    writeFileSync(target, 'api: no\n')
    const breaker = `${lockPathOf(target)}.break`
    writeFileSync(breaker, info(process.pid, 'live'))
    const held = await acquireFileLock(target, {timeoutMs: 1000})
    await held.release()
    expect(existsSync(breaker)).toBe(true)
  })
})
