import {describe, expect, it} from 'vitest'
import {KeyedQueue} from '../../../src/calls/queue.js'

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return {promise, resolve}
}

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time, in order', async () => {
    const queue = new KeyedQueue()
    const log: string[] = []
    const gate = deferred()
    const first = queue.run('s1', async () => {
      log.push('first start')
      await gate.promise
      log.push('first end')
      return 1
    })
    const second = queue.run('s1', async () => {
      log.push('second')
      return 2
    })
    await Promise.resolve()
    expect(log).toEqual(['first start'])
    expect(queue.isBusy('s1')).toBe(true)
    gate.resolve()
    expect(await Promise.all([first, second])).toEqual([1, 2])
    expect(log).toEqual(['first start', 'first end', 'second'])
  })

  it('runs different keys concurrently', async () => {
    const queue = new KeyedQueue()
    const gate = deferred()
    const blocked = queue.run('a', () => gate.promise)
    const other = await queue.run('b', async () => 'b done')
    expect(other).toBe('b done')
    gate.resolve()
    await blocked
  })

  it('keeps going after a task fails, and forgets idle keys', async () => {
    const queue = new KeyedQueue()
    const failing = queue.run('s', async () => {
      throw new Error('boom')
    })
    const next = queue.run('s', async () => 'next')
    await expect(failing).rejects.toThrow('boom')
    expect(await next).toBe('next')
    await new Promise((resolve) => setImmediate(resolve))
    expect(queue.size).toBe(0)
  })
})
