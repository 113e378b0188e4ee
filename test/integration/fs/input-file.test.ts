import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {inputFileReason, loneCarriageReturnLine, readInputFile} from '../../../src/fs/input-file.js'

const dir = mkdtempSync(join(tmpdir(), 'r58-input-'))

describe('readInputFile', () => {
  it('reads a regular file up to the cap, inclusive', async () => {
    writeFileSync(join(dir, 'ten'), '0123456789')
    expect((await readInputFile(join(dir, 'ten'), 10)).toString()).toBe('0123456789')
    expect((await readInputFile(join(dir, 'ten'), 1 << 20)).length).toBe(10)
  })

  it.each([
    [
      'a file one byte over the cap',
      () => join(dir, 'ten'),
      9,
      'EFBIG',
      /^too large \(more than 9 bytes; the limit is 9 bytes\)$/,
    ],
    ['a FIFO', () => fifo('p'), 1024, 'ENOTREG', /^a FIFO \(named pipe\), not a regular file$/],
    ['a character device', () => '/dev/zero', 1024, 'ENOTREG', /^a character device, not a regular file$/],
    ['a directory', () => mkdir('d'), 1024, 'EISDIR', /^is a directory$/],
    ['a missing file', () => join(dir, 'nope'), 1024, 'ENOENT', /^no such file$/],
  ])('refuses %s', async (_name, path, cap, code, reason) => {
    const error = await readInputFile(path(), cap).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({code})
    expect(inputFileReason(error)).toMatch(reason)
  })

  it('names the size of a large file', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(3 * 1024 * 1024))
    await expect(readInputFile(join(dir, 'big'), 1024 * 1024)).rejects.toMatchObject({
      reason: 'too large (3.0 MiB; the limit is 1.0 MiB)',
    })
  })
})

function fifo(name: string): string {
  const path = join(dir, name)
  execFileSync('mkfifo', [path])
  return path
}

function mkdir(name: string): string {
  const path = join(dir, name)
  mkdirSync(path)
  return path
}

describe('loneCarriageReturnLine', () => {
  it.each([
    ['a: 1\nb: 2\n', 0],
    ['a: 1\r\nb: 2\r\n', 0],
    ['a: 1\rb: 2\r', 1],
    ['a: 1\nb: 2\rc: 3\n', 2],
    ['a: 1\r\nb: 2\r', 2],
    ['', 0],
  ])('%j → %i', (text, line) => expect(loneCarriageReturnLine(text)).toBe(line))
})
