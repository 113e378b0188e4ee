/** Before an operator's pull (`r58 relay pull`): the Calls session exists and publishes every named track. */
import type {CallsClient} from '../calls/calls-client.js'
import {isSessionGone} from '../calls/calls-errors.js'
import {type PullInput, PullRefusedError} from './engine.js'

/** Refuses now, with what Calls has, a pull that could only fail later in the background. */
export async function requirePublished(calls: CallsClient, input: PullInput): Promise<void> {
  let state: Awaited<ReturnType<CallsClient['getSession']>>
  try {
    state = await calls.getSession(input.sessionId)
  } catch (error) {
    if (isSessionGone(error)) throw new PullRefusedError(`Calls has no session ${input.sessionId}`)
    throw error
  }
  const published = new Set(
    (state.tracks ?? [])
      .filter((t) => t.location === 'local' && t.status !== 'inactive' && t.trackName !== undefined)
      .map((t) => t.trackName as string),
  )
  const missing = input.trackNames.filter((name) => !published.has(name))
  if (missing.length === 0) return
  const names = (list: Iterable<string>) => [...list].map((name) => JSON.stringify(name)).join(', ')
  throw new PullRefusedError(
    `Calls session ${input.sessionId} publishes no track named ${names(missing)}` +
      (published.size > 0 ? ` (it publishes ${names(published)})` : ''),
  )
}
