/** `r58 diagnose [--lab]` as one library call: start the lab when asked, diagnose, always clean up. */
import {type LabOptions, type LabParts, startLab} from '../lab/lab.js'
import {diagnose} from './diagnose.js'
import type {DiagnoseOptions, DiagnoseReport} from './types.js'

export async function runDiagnose(
  lab: false | LabOptions,
  options: () => Promise<DiagnoseOptions>,
  overrides: Pick<DiagnoseOptions, 'require' | 'timeoutMs' | 'onProgress' | 'signal'>,
): Promise<DiagnoseReport & {lab?: LabParts}> {
  if (!lab) return diagnose({...(await options()), ...overrides})
  const started = await startLab(lab)
  try {
    return {...(await diagnose({...started.diagnose, ...overrides})), lab: started.parts}
  } finally {
    await started.close()
  }
}
