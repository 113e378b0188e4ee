/** `diagnose --lab` runs its relay in whep mode: the relay check passes and says MediaMTX pulled from Calls. */
import {afterAll, expect, it} from 'vitest'
import {diagnose} from '../../../src/diagnose/diagnose.js'
import {type Lab, startLab} from '../../../src/sim/lab/lab.js'

let lab: Lab | undefined
afterAll(() => lab?.close())

it('carries the guest into MediaMTX in whep mode, and says so in the relay check', async () => {
  lab = await startLab({coturn: 'off'})
  const report = await diagnose({...lab.diagnose, require: ['calls']})
  const relay = report.checks.find((c) => c.id === 'calls.relay.e2e')
  expect(relay?.status).toBe('pass')
  expect(relay?.evidence).toContain('relay in whep mode: guest → Calls → MediaMTX')
})
