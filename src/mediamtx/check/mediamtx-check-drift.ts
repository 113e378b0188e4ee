/** The drift stage of `mediamtx check`: with both the file and the running server, do their WebRTC keys agree? */
import {isDeepStrictEqual} from 'node:util'
import {runCheck} from '../../report/check.js'
import type {ConfigDoc} from '../config-doc.js'
import type {CheckRun} from './mediamtx-check-run.js'

/** mediamtx.api.drift: WebRTC keys of the file whose live value differs. */
export async function checkDrift(
  run: CheckRun,
  file: ConfigDoc,
  fileName: string,
  live: Record<string, unknown>,
): Promise<void> {
  run.checks.push(
    await runCheck('mediamtx.api.drift', 'Running config matches the file', async () => {
      const differs = file
        .keys()
        .filter((key) => key.startsWith('webrtc') && key in live)
        .filter((key) => !sameLive(live[key], file.value(key)))
      if (differs.length === 0) return {status: 'pass', evidence: 'the WebRTC keys of the file are live'}
      run.add(
        'mediamtx.api.drift',
        'warn',
        `The running MediaMTX differs from ${fileName} in ${differs.join(', ')} (changed through the API, by MTX_* variables, or the file was not reloaded)`,
        null,
      )
      return {status: 'warn', evidence: `differs: ${differs.join(', ')}`}
    }),
  )
}

/** The live value matches the file's: redacted secrets and keys the file leaves out count as equal. */
function sameLive(live: unknown, file: unknown): boolean {
  if (live === '<redacted>') return true
  if (file === null || file === undefined) return true
  if (Array.isArray(live) && Array.isArray(file))
    return live.length === file.length && live.every((item, i) => sameLive(item, file[i]))
  if (live && file && typeof live === 'object' && typeof file === 'object') {
    return Object.entries(file as Record<string, unknown>).every(([k, value]) =>
      sameLive((live as Record<string, unknown>)[k], value),
    )
  }
  return isDeepStrictEqual(live, file)
}
