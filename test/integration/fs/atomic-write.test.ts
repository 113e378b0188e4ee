import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {writeFileAtomic} from '../../../src/fs/atomic-write.js'

const fresh = () => mkdtempSync(join(tmpdir(), 'r58-atomic-'))

describe('writeFileAtomic', () => {
  it('creates a file with the requested mode and leaves no temporary file', async () => {
    const dir = fresh()
    const result = await writeFileAtomic(join(dir, 'a.yaml'), 'x: 1\n', {mode: 0o600})
    expect(result.created).toBe(true)
    expect(statSync(join(dir, 'a.yaml')).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['a.yaml'])
  })

  it('keeps the mode of the file it replaces and makes a timestamped backup', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'old\n')
    chmodSync(path, 0o640)
    const result = await writeFileAtomic(path, 'new\n', {backup: true, now: () => new Date('2026-11-25T10:11:12Z')})
    expect(readFileSync(path, 'utf8')).toBe('new\n')
    expect(statSync(path).mode & 0o777).toBe(0o640)
    expect(result.backupPath).toBe(`${path}.20261125T101112Z.bak`)
    expect(readFileSync(result.backupPath as string, 'utf8')).toBe('old\n')
  })

  it('edits a symlinked file at its target and keeps the link', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'real.yml'), 'old\n')
    symlinkSync(join(dir, 'real.yml'), join(dir, 'link.yml'))
    const result = await writeFileAtomic(join(dir, 'link.yml'), 'new\n')
    expect(result.path).toBe(join(dir, 'real.yml'))
    expect(lstatSync(join(dir, 'link.yml')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'real.yml'), 'utf8')).toBe('new\n')
  })

  it('refuses to replace an existing file when exclusive, leaving it untouched', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'c.yaml'), 'keep\n')
    await expect(writeFileAtomic(join(dir, 'c.yaml'), 'x', {exclusive: true})).rejects.toMatchObject({
      code: 'E_FILE_CONFLICT',
      exitCode: 6,
    })
    expect(readFileSync(join(dir, 'c.yaml'), 'utf8')).toBe('keep\n')
  })

  it('refuses a directory and a missing parent with exit 6', async () => {
    const dir = fresh()
    await expect(writeFileAtomic(dir, 'x')).rejects.toMatchObject({exitCode: 6})
    await expect(writeFileAtomic(join(dir, 'no/such/dir/f'), 'x')).rejects.toMatchObject({exitCode: 6})
    expect(existsSync(join(dir, 'no'))).toBe(false)
  })
})
