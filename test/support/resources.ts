/**
 * Leak checks: what a probe leaves open. Sockets must be back to exactly what was open before; timers may
 * only have gone away. Waits (bounded) for close callbacks to run before judging.
 */
import {expect} from 'vitest'

const SOCKETS = /^(UDPWrap|TCPSocketWrap|TCPWrap|TLSWrap|PipeWrap|ProcessWrap|ChildProcess)$/

export interface ResourceSnapshot {
  sockets: string[]
  timers: number
}

export function snapshot(): ResourceSnapshot {
  const info = process.getActiveResourcesInfo()
  return {sockets: info.filter((r) => SOCKETS.test(r)).sort(), timers: info.filter((r) => r === 'Timeout').length}
}

/** The sockets open now that were not open before (by kind, counting duplicates). */
function added(now: readonly string[], before: readonly string[]): string[] {
  const left = [...before]
  return now.filter((kind) => {
    const i = left.indexOf(kind)
    if (i === -1) return true
    left.splice(i, 1)
    return false
  })
}

/** Fails when sockets stayed open or timers were added since `before` (closing ones get a moment). */
export async function expectNothingLeft(before: ResourceSnapshot): Promise<void> {
  let now = snapshot()
  for (let i = 0; i < 50 && (added(now.sockets, before.sockets).length > 0 || now.timers > before.timers); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    now = snapshot()
  }
  expect(added(now.sockets, before.sockets), 'sockets left open').toEqual([])
  expect(now.timers, 'timers left running').toBeLessThanOrEqual(before.timers)
}

/** Counts of active handles by type (UDPWrap, TCPSocketWrap, …), for "nothing left open" assertions. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Waits (bounded) until no more UDP sockets are open than at `baseline`; returns the final count. */
export async function udpSocketsSettle(baseline: number, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const now = activeResources()['UDPWrap'] ?? 0
    if (now <= baseline || Date.now() > deadline) return now
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
