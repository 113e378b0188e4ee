/** Drives a sans-IO TURN request machine over a link: one STUN transaction per `send` action. */
import {type TransactIo, transact} from '../stun/transaction.js'
import type {RequestAction, TurnRequestMachine} from './request-machine.js'

export interface RunRequestResult {
  action: Exclude<RequestAction, {type: 'send'} | {type: 'ignore'}>
  /** Round trip of the last transaction (the authenticated one, after a 401 challenge). */
  rttMs: number
  /** From the first send to the final answer. */
  totalMs: number
  transactions: number
}

export async function runRequest(
  machine: TurnRequestMachine,
  io: TransactIo,
  options: {timeoutMs: number; signal?: AbortSignal | undefined; step: string},
): Promise<RunRequestResult> {
  const started = performance.now()
  let action = machine.start()
  let rttMs = 0
  let transactions = 0
  while (action.type === 'send') {
    const answer = await transact(action.request, io, options)
    transactions += 1
    rttMs = answer.rttMs
    action = machine.handle(answer.bytes)
  }
  if (action.type === 'ignore') {
    // transact() only returns answers with the request's transaction id, so this cannot happen.
    throw new Error(`${options.step}: the answer did not match the request`)
  }
  return {action, rttMs, totalMs: performance.now() - started, transactions}
}
