/**
 * What every lab test file shares: start the lab once per file, and run one scenario: the guests and r58's probe concurrently, then diagnose on
 * the box, then record the row and assert agreement.
 */
import {afterAll, beforeAll, expect} from 'vitest'
import {natLabUnavailable} from '../../../src/sim/lab/netns/lab-requirements.js'
import type {BoxNat} from '../../../src/sim/lab/netns/topology.js'
import {type NatLab, startNatLab} from './nat-lab.js'
import {agreement, diagnoseVerdict, probeVerdict, recordScenario, type ScenarioRow} from './scenario.js'

/**
 * A lab that cannot start is a failure with its reason, never a skip. (Whether the lab project runs at all on a
 * developer's machine without root is vitest.config.ts's decision; under CI=true it always runs.)
 */
export function requireLab(): void {
  const unavailable = natLabUnavailable()
  if (unavailable !== null) throw new Error(unavailable)
}

export function useNatLab(options: {boxNat?: BoxNat} = {}): {readonly lab: NatLab} {
  let lab: NatLab | undefined
  beforeAll(async () => {
    requireLab()
    lab = await startNatLab(options)
  })
  afterAll(async () => {
    await lab?.close()
  })
  return {
    get lab(): NatLab {
      if (!lab) throw new Error('the NAT lab did not start (see beforeAll)')
      return lab
    },
  }
}

export interface ScenarioRun {
  id: string
  title: string
  /** The guests' publishes (ground truth), run concurrently with the probe. */
  guests: () => Promise<ScenarioRow['guests']>
  /** `r58 probe whip …` argv, run in the guest namespace. */
  probe: readonly string[]
  /** `r58 diagnose …` argv (after `diagnose --json`), run on the box, and the option this scenario is about. */
  diagnose: {argv: readonly string[]; option: string}
  env?: Record<string, string>
}

export async function runScenario(lab: NatLab, run: ScenarioRun): Promise<ScenarioRow> {
  const [guests, probe] = await Promise.all([
    run.guests(),
    lab.r58(lab.net.names.guest, ['probe', 'whip', ...run.probe, '--json'], run.env),
  ])
  const diagnose = await lab.r58(lab.net.names.box, ['diagnose', '--json', ...run.diagnose.argv], run.env)
  const r58 = {probe: probeVerdict(probe), diagnose: diagnoseVerdict(diagnose, run.diagnose.option)}
  const {agree, why} = agreement(guests, r58)
  const row: ScenarioRow = {id: run.id, title: run.title, guests, r58, agree}
  recordScenario(row)
  expect(why, JSON.stringify(row, null, 2)).toEqual([])
  return row
}
