/** Name resolution as a probe step: bounded by a deadline, failures named as DNS failures. */
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'
import {StepFailure} from '../stun/outcome.js'
import {withTimeout} from '../util/abort.js'

export interface ResolvedHost {
  address: string
  family: 4 | 6
}

/** A resolver (`dns.promises.lookup` by default); injected in tests, where no DNS query may leave the machine. */
export type LookupFn = (host: string) => Promise<{address: string; family: number}>

/** Resolves `host` (IP literals pass through). Throws a StepFailure of step `dns`. */
export async function resolveHost(
  host: string,
  timeoutMs: number,
  signal?: AbortSignal,
  resolve: LookupFn = lookup,
): Promise<ResolvedHost> {
  const literal = isIP(host)
  if (literal === 4 || literal === 6) return {address: host, family: literal}
  try {
    const found = await withTimeout(resolve(host), timeoutMs, `DNS lookup of ${host}`, signal)
    return {address: found.address, family: found.family === 6 ? 6 : 4}
  } catch (error) {
    if (error instanceof StepFailure) throw error
    const code = (error as {code?: string}).code
    if (code === 'E_TIMEOUT')
      throw new StepFailure('dns', 'timeout', `DNS lookup of ${host}: no answer within ${timeoutMs} ms`)
    if (code === 'E_ABORTED') throw new StepFailure('dns', 'aborted', `DNS lookup of ${host}: cancelled`)
    throw new StepFailure('dns', 'unreachable', `DNS lookup of ${host} failed (${code ?? String(error)})`, {
      hint: `Check the host name ${host}.`,
      cause: error,
    })
  }
}
