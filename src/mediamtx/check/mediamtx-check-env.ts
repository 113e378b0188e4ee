/** The environment stage of `mediamtx check`: MTX_* variables that override the file on every load. */
import {runCheck} from '../../report/check.js'
import {envOverrides} from '../env-overrides.js'
import type {CheckRun} from './mediamtx-check-run.js'

/** mediamtx.env.overrides */
export async function checkEnvOverrides(run: CheckRun): Promise<void> {
  run.checks.push(
    await runCheck('mediamtx.env.overrides', 'No MTX_* variables override the file', async () => {
      const overrides = envOverrides(run.options.env ?? {})
      if (overrides.length === 0) return {status: 'pass', evidence: 'none in this environment'}
      for (const o of overrides) {
        run.add(
          'mediamtx.env.overrides',
          'warn',
          o.key === 'confKey'
            ? `${o.variable} is set: MediaMTX reads an encrypted config`
            : `${o.variable} overrides ${o.key} on every load (if MediaMTX runs with this environment)`,
          `Unset ${o.variable} in MediaMTX's environment, or make the change there.`,
        )
      }
      return {status: 'warn', evidence: overrides.map((o) => `${o.variable} → ${o.key}`).join(', ')}
    }),
  )
}
