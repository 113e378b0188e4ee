/** Deadlines and cancellation for anything that waits: every wait in r58 is bounded and cancellable. */
import {R58Error} from '../errors.js'

/**
 * Resolves after `ms`, or rejects with E_ABORTED when `signal` fires first. The timer keeps the process alive
 * (a wait may be all a command is doing: for a lock, between refreshes); cancel it with the signal.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new R58Error('E_ABORTED', 'cancelled'))
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(new R58Error('E_ABORTED', 'cancelled'))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

/**
 * Races `work` against a deadline. On timeout it rejects with E_TIMEOUT naming `step`; on abort with
 * E_ABORTED. The timer is always cleared, so nothing lingers after the race.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, step: string, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new R58Error('E_TIMEOUT', `${step}: no result within ${ms} ms`)), ms)
    timer.unref?.()
    if (signal) {
      onAbort = () => reject(new R58Error('E_ABORTED', `${step}: cancelled`))
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, {once: true})
    }
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
    if (onAbort) signal?.removeEventListener('abort', onAbort)
  }
}
