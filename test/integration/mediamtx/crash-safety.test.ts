/**
 * Crash safety of `configure --write`: child processes writing in a loop are killed with SIGKILL at random
 * moments, 200 times; the file is always exactly the old or the new complete content, and the lock or
 * temporary files a killed writer leaves never block the next one. Two writer processes running at once
 * both get their updates in. The children run the library compiled to JavaScript, so they start fast.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {planConfigure, versionFromFlag} from '../../../src/mediamtx/configure.js'
import {fixture} from '../../support/mediamtx.js'
import {transpileTree} from '../../support/transpile.js'

const ORIGINAL = fixture('v1.20.1.yml')
const v = versionFromFlag('v1.20.1')
const A = planConfigure(ORIGINAL, 'f', {operations: [{op: 'udp-address', address: ':8190'}], version: v}).after
const B = planConfigure(A, 'f', {operations: [{op: 'udp-address', address: ':8191'}], version: v}).after

/** Writes A and B alternately through the library's write path (lock, change check, atomic replace, backup). */
const WRITER = `
import {readFileSync} from 'node:fs'
import {editFileSafely} from './src/mediamtx/safe-write.js'
const [file, a, b] = process.argv.slice(2)
const A = readFileSync(a, 'utf8')
const B = readFileSync(b, 'utf8')
process.stdout.write('ready\\n')
for (;;) {
  await editFileSafely(file, (s) => ({text: s.text === A ? B : A, result: null}), {lock: {timeoutMs: 30000}})
  process.stdout.write('w\\n')
}
`

/** The whole configure --write, adding hosts one write at a time. */
const CONFIGURE = `
import {configureMediamtx} from './src/mediamtx/configure.js'
const [file, ...hosts] = process.argv.slice(2)
process.stdout.write('ready\\n')
for (const host of hosts) {
  await configureMediamtx({file, write: true, backup: false, version: 'v1.20.1', lock: {timeoutMs: 30000}, operations: [{op: 'add-host', host}]})
}
process.stdout.write('done\\n')
`

let out: string
let writer: string
let configure: string
beforeAll(() => {
  out = transpileTree(['src/mediamtx/configure.ts', 'src/mediamtx/safe-write.ts'])
  writer = join(out, 'writer.mjs')
  configure = join(out, 'configure.mjs')
  writeFileSync(writer, WRITER)
  writeFileSync(configure, CONFIGURE)
})
afterAll(() => rmSync(out, {recursive: true, force: true}))

interface Run {
  process: ChildProcess
  lines: string[]
  ready: Promise<void>
  exit: Promise<number | null>
}

function run(script: string, args: string[]): Run {
  const proc = spawn(process.execPath, [script, ...args], {stdio: ['ignore', 'pipe', 'inherit']})
  const lines: string[] = []
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    onReady = resolve
  })
  proc.stdout?.setEncoding('utf8')
  proc.stdout?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lines.push(line)
      if (line === 'ready') onReady()
    }
  })
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  return {process: proc, lines, ready, exit}
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('configure --write under SIGKILL', () => {
  it('always leaves the old or the new complete file, 200 kills', async () => {
    const lanes = 4
    const killsPerLane = 50
    let writes = 0
    let killedAfterWriting = 0
    await Promise.all(
      Array.from({length: lanes}, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'r58-crash-'))
        const file = join(dir, 'mediamtx.yml')
        writeFileSync(file, A)
        writeFileSync(join(dir, 'a'), A)
        writeFileSync(join(dir, 'b'), B)
        for (let i = 0; i < killsPerLane; i++) {
          const child = run(writer, [file, join(dir, 'a'), join(dir, 'b')])
          await child.ready
          await pause(Math.random() * 25)
          child.process.kill('SIGKILL')
          await child.exit
          const done = child.lines.filter((l) => l === 'w').length
          writes += done
          if (done > 0) killedAfterWriting++
          const content = readFileSync(file, 'utf8')
          expect(content === A || content === B, `the file after kill ${i} is complete`).toBe(true)
        }
        // Whatever the last kill left behind (lock, temporary files), the next writer gets through.
        const last = run(configure, [file, '100.64.0.9'])
        expect(await last.exit).toBe(0)
        const content = readFileSync(file, 'utf8')
        expect(content).toContain('webrtcAdditionalHosts: [100.64.0.9]')
        expect(
          readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock') || f.endsWith('.break')),
        ).toEqual([])
      }),
    )
    expect(writes).toBeGreaterThan(0)
    expect(killedAfterWriting).toBeGreaterThan(0)
  }, 180_000) // 200 child processes: about 20 s on an idle 2-core machine, far more on a busy one

  it('two writer processes at once: both sets of updates land', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-concurrent-'))
    const file = join(dir, 'mediamtx.yml')
    writeFileSync(file, ORIGINAL)
    const first = Array.from({length: 8}, (_, i) => `100.64.1.${i + 1}`)
    const second = Array.from({length: 8}, (_, i) => `100.64.2.${i + 1}`)
    const a = run(configure, [file, ...first])
    const b = run(configure, [file, ...second])
    expect(await a.exit).toBe(0)
    expect(await b.exit).toBe(0)
    const hosts = /^webrtcAdditionalHosts: \[(.*)\]$/m.exec(readFileSync(file, 'utf8'))?.[1]?.split(', ') ?? []
    expect(hosts.sort()).toEqual([...first, ...second].sort())
  })
})
