/** The version stage of `mediamtx check`: which MediaMTX the config is for, and whether it has WHIP (mediamtx.version). */
import {runCheck} from '../../report/check.js'
import {parseConfigDoc} from '../config-doc.js'
import {type ResolvedVersion, type VersionInfo, versionFromFlag, versionFromKeys} from '../configure.js'
import {atLeast} from '../version.js'
import type {CheckRun} from './mediamtx-check-run.js'

/** `--mediamtx-version`, else what the API reported, else inferred from the file's (or the live config's) keys. */
export function resolveVersion(run: CheckRun): ResolvedVersion | undefined {
  if (run.options.version) return versionFromFlag(run.options.version)
  if (run.liveVersion) return run.liveVersion
  if (run.doc) return versionFromKeys(run.doc)
  if (run.live) return versionFromKeys(parseConfigDoc(JSON.stringify(run.live), 'API'), 'the live configuration')
  return undefined
}

export function versionInfoOf(version: ResolvedVersion | undefined): VersionInfo {
  return version
    ? {value: version.value, source: version.source, note: version.note}
    : {value: 'unknown', source: 'inferred', note: 'neither the file nor the API could be read'}
}

/** mediamtx.version: WHIP publishing arrived in v0.23.0; an inferred version is only a lower bound. */
export async function checkVersion(run: CheckRun, v: ResolvedVersion): Promise<void> {
  run.checks.push(
    await runCheck('mediamtx.version', 'MediaMTX has WHIP publishing', async () => {
      if (!atLeast(v.version, 'v0.23.0')) {
        if (v.source === 'inferred') {
          // A lower bound only: v0.23.0's default file has no key that v0.22 lacks.
          const message = `The file does not tell whether MediaMTX is v0.23.0 or later (${v.note}); older releases have no WHIP publishing`
          const fix = 'Pass --mediamtx-version (or --mediamtx-api-url); upgrade MediaMTX if it is older than v0.23.0.'
          run.add('mediamtx.version', 'warn', message, fix)
          return {status: 'warn', evidence: `${v.value} or later (inferred)`, fix}
        }
        const message = `MediaMTX ${v.value} has no WebRTC publishing (WHIP arrived in v0.23.0)`
        run.add('mediamtx.version', 'error', message, 'Upgrade MediaMTX.')
        return {status: 'fail', evidence: message, fix: 'Upgrade MediaMTX.'}
      }
      if (v.source === 'inferred') run.add('mediamtx.version', 'info', `Version ${v.note}.`, null)
      return {
        status: 'pass',
        evidence: v.source === 'inferred' ? `${v.value} or later (inferred)` : `${v.value} (${v.note})`,
      }
    }),
  )
}
