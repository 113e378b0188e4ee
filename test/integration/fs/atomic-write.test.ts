import {spawnSync} from 'node:child_process'
import {
  chmodSync,
  chownSync,
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
import {dirname, join} from 'node:path'
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
    expect(result.backupPath).toBe(`${path}.20261125T101112Z.1.bak`)
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

describe('writeFileAtomic: backups', () => {
  it('ten edits within one second keep ten backups, the original among them, and never overwrite one', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'v0\n')
    const now = () => new Date('2026-11-25T10:11:12Z')
    const backups: string[] = []
    for (let i = 1; i <= 10; i++) {
      const result = await writeFileAtomic(path, `v${i}\n`, {backup: true, now})
      backups.push(result.backupPath as string)
    }
    expect(new Set(backups).size).toBe(10)
    expect(backups.map((b) => readFileSync(b, 'utf8'))).toEqual([...Array(10).keys()].map((i) => `v${i}\n`))
    for (const backup of backups) expect(backup).toMatch(/\/m\.yml\.20261125T101112Z\.\d+\.bak$/)
    expect(readFileSync(path, 'utf8')).toBe('v10\n')
  })

  it('writes the backup no more readable than the file (owner only)', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'password: s3cret\n')
    chmodSync(path, 0o644)
    const {backupPath} = await writeFileAtomic(path, 'x\n', {backup: true})
    expect(statSync(backupPath as string).mode & 0o777).toBe(0o600)
    chmodSync(path, 0o400)
    const second = await writeFileAtomic(path, 'y\n', {backup: true, force: true})
    expect(statSync(second.backupPath as string).mode & 0o777).toBe(0o400)
  })

  it('leaves no backup behind when the replacement fails', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'old\n')
    const failing = writeFileAtomic(path, 'new\n', {
      backup: true,
      beforeRename: () => Promise.reject(Object.assign(new Error('EIO: i/o error'), {code: 'EIO'})),
    })
    await expect(failing).rejects.toMatchObject({exitCode: 6})
    expect(readdirSync(dir)).toEqual(['m.yml'])
    expect(readFileSync(path, 'utf8')).toBe('old\n')
  })
})

describe('writeFileAtomic: read-only files', () => {
  it('refuses a read-only (0444) file with exit 6 and changes nothing', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'old\n')
    chmodSync(path, 0o444)
    await expect(writeFileAtomic(path, 'new\n', {backup: true})).rejects.toMatchObject({
      code: 'E_FILE_CONFLICT',
      exitCode: 6,
      message: expect.stringMatching(/read-only \(mode 0444\)/),
      hint: expect.stringMatching(/--force/),
    })
    expect(readFileSync(path, 'utf8')).toBe('old\n')
    expect(readdirSync(dir)).toEqual(['m.yml'])
  })

  it('replaces it with force, keeping mode 0444', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'old\n')
    chmodSync(path, 0o444)
    await writeFileAtomic(path, 'new\n', {force: true})
    expect(readFileSync(path, 'utf8')).toBe('new\n')
    expect(statSync(path).mode & 0o777).toBe(0o444)
  })
})

// Giving a file to another user needs root; CI runs as root, so there this never skips.
const asRoot = process.getuid?.() === 0 || process.env['CI'] === 'true'

describe.runIf(asRoot)('writeFileAtomic: ownership (as root)', () => {
  it('keeps owner, group and mode of the file and gives its backup the same owner', async () => {
    const dir = fresh()
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'old\n')
    chownSync(path, 1234, 2345)
    chmodSync(path, 0o640)
    const {backupPath} = await writeFileAtomic(path, 'new\n', {backup: true})
    const after = statSync(path)
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([1234, 2345, 0o640])
    const backup = statSync(backupPath as string)
    expect([backup.uid, backup.gid, backup.mode & 0o777]).toEqual([1234, 2345, 0o600])
  })

  it('run as another user who may write the folder, refuses instead of taking the file over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-owner-'))
    // The child runs as uid 1234: let it reach the folder and keep tsx's cache there.
    chmodSync(dir, 0o777)
    for (let d = dirname(dir); d !== dirname(d) && d.startsWith(tmpdir()); d = dirname(d)) chmodSync(d, 0o711)
    const path = join(dir, 'm.yml')
    writeFileSync(path, 'old\n')
    chownSync(path, 1235, 1235)
    chmodSync(path, 0o666)
    const module = join(import.meta.dirname, '../../../src/fs/atomic-write.ts')
    const script = `import {writeFileAtomic} from ${JSON.stringify(module)}
writeFileAtomic(${JSON.stringify(path)}, 'new\\n', {backup: true}).then(
  () => console.log('written'),
  (e) => { console.log(e.code, e.message); process.exitCode = e.exitCode ?? 1 })`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      uid: 1234,
      gid: 1234,
      env: {...process.env, TMPDIR: dir, HOME: dir},
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(child.stdout, child.stderr).toMatch(/^E_FILE_CONFLICT .*owned by uid 1235/)
    expect(child.status).toBe(6)
    const after = statSync(path)
    expect([after.uid, after.gid]).toEqual([1235, 1235])
    expect(readFileSync(path, 'utf8')).toBe('old\n')
    expect(readdirSync(dir).filter((name) => name.startsWith('m.yml') || name.startsWith('.m.yml'))).toEqual(['m.yml'])
  })
})
