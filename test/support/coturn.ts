/**
 * A real coturn on loopback for the test files that need one (src/sim/lab/coturn.ts does the work). coturn is
 * a required test dependency: when turnserver is missing the suite fails with the command that installs it.
 */
import {afterAll, beforeAll} from 'vitest'
import {type CoturnLab, type CoturnOptions, findTurnserver, startCoturn} from '../../src/sim/lab/coturn.js'

export function requireTurnserver(): void {
  if (findTurnserver()) return
  throw new Error(
    `coturn is required by these tests and is not installed (no turnserver on PATH${process.env['CI'] ? ', CI=true' : ''}). Install it: apt-get install coturn`,
  )
}

/** Starts coturn before the file's tests and stops it after; read `.lab` inside tests. */
export function useCoturn(options: CoturnOptions = {}): {readonly lab: CoturnLab} {
  let lab: CoturnLab | undefined
  beforeAll(async () => {
    requireTurnserver()
    lab = await startCoturn(options)
  })
  afterAll(async () => {
    await lab?.stop()
  })
  return {
    get lab(): CoturnLab {
      if (!lab) throw new Error('coturn is not running (did beforeAll fail?)')
      return lab
    },
  }
}
