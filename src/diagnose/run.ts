/** `r58 diagnose [--lab]` as one library call: start the lab when asked, diagnose, always clean up. */
import type {LabOptions, LabParts} from '../sim/lab/lab.js'
import {diagnose} from './diagnose.js'
import type {DiagnoseOptions, DiagnoseReport} from './diagnose-types.js'

export async function runDiagnose(
  lab: false | LabOptions,
  options: () => Promise<DiagnoseOptions>,
  overrides: Pick<DiagnoseOptions, 'require' | 'timeoutMs' | 'onProgress' | 'signal'>,
): Promise<DiagnoseReport & {lab?: LabParts}> {
  if (!lab) return diagnose({...(await options()), ...overrides})
  // The simulators' wing is loaded only when the lab is asked for: a plain `diagnose` never imports it.
  const {startLab} = await import('../sim/lab/lab.js')
  const started = await startLab(lab)
  try {
    return {...(await diagnose({...started.diagnose, ...overrides})), lab: started.parts}
  } finally {
    await started.close()
  }
}
