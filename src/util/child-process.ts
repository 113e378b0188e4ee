/** Waiting for child processes (coturn, werift's gathering child) with a bound. */
import type {ChildProcess} from 'node:child_process'

/** True when `child` has exited within `ms` (or already had). */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}
