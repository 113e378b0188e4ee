/**
 * The key stages of `mediamtx check`: keys this MediaMTX does not know (it refuses to start, or shuts down on
 * hot reload), the other load-time problems (types, ICE server URLs, conf.go rules), and deprecated keys.
 */
import {type CheckFailure, type CheckOutcome, runCheck} from '../../report/check.js'
import {deprecatedKeysIn} from '../deprecations.js'
import {atLeast} from '../version.js'
import type {CheckRun, ExaminedConfig} from './mediamtx-check-run.js'

/** mediamtx.config.unknown-keys: only for the file (the server already loaded its live config). */
export async function checkUnknownKeys(run: CheckRun, config: ExaminedConfig): Promise<void> {
  const {version: v, migrateCmd} = config
  const fixOf = (fix: string | undefined) => (fix?.includes('--migrate-deprecated') ? migrateCmd : fix)
  run.checks.push(
    await runCheck('mediamtx.config.unknown-keys', 'Every key is known to this MediaMTX', async () => {
      const doc = run.doc
      if (!doc) return {status: 'skip', evidence: 'the live configuration was loaded by the server'}
      const unknown = config.problems.filter((p) => p.id === 'mediamtx.config.unknown-keys')
      for (const p of unknown) {
        run.add(
          'mediamtx.config.unknown-keys',
          'error',
          `${p.where}: ${p.message} (on hot reload it shuts down)`,
          fixOf(p.fix) ?? null,
        )
      }
      if (unknown.length === 0)
        return {status: 'pass', evidence: `all ${doc.keys().length} keys are known to ${v.value}`}
      return {
        status: 'fail',
        failure: 'config',
        evidence: `${unknown.length} key${unknown.length === 1 ? '' : 's'} MediaMTX ${v.value} refuses: ${unknown.map((p) => `${p.where} ${p.key}`).join(', ')}`,
        fix: fixOf(unknown[0]?.fix) ?? 'Remove the keys.',
      }
    }),
  )
}

/** mediamtx.config.valid: every load-time problem other than unknown keys. */
export async function checkLoadable(run: CheckRun, config: ExaminedConfig): Promise<void> {
  run.checks.push(
    await runCheck(
      'mediamtx.config.valid',
      'MediaMTX would load the config',
      async (): Promise<CheckOutcome | CheckFailure> => {
        const rest = config.problems.filter((p) => p.id !== 'mediamtx.config.unknown-keys')
        for (const p of rest) run.add('mediamtx.config.valid', 'error', `${p.where}: ${p.message}`, p.fix ?? null)
        if (rest.length === 0) return {status: 'pass', evidence: 'types, ICE server URLs and WebRTC rules are fine'}
        return {
          status: 'fail',
          failure: 'config',
          evidence: rest.map((p) => `${p.where}: ${p.message}`).join('; '),
          fix: rest[0]?.fix ?? 'Fix the values named above.',
        }
      },
    ),
  )
}

/**
 * mediamtx.config.deprecated-keys: a deprecated key whose replacement this version has is a warning (migrate
 * it); one whose replacement needs a newer release is only noted.
 */
export async function checkDeprecatedKeys(run: CheckRun, config: ExaminedConfig): Promise<void> {
  const {version: v, migrateCmd} = config
  run.checks.push(
    await runCheck('mediamtx.config.deprecated-keys', 'No deprecated keys', async () => {
      const deprecated = deprecatedKeysIn(config.doc.keys()).filter(
        (d) => d.removedIn === null || !atLeast(v.version, d.removedIn),
      )
      if (deprecated.length === 0) return {status: 'pass', evidence: 'none'}
      let migratable = 0
      for (const d of deprecated) {
        const ready = d.since !== null && atLeast(v.version, d.since)
        if (ready) migratable++
        run.add(
          'mediamtx.config.deprecated-keys',
          ready ? 'warn' : 'info',
          ready
            ? `${d.key} is deprecated; ${d.replacement} replaces it since ${d.since}${d.note ? ` (${d.note})` : ''}`
            : `${d.key} is deprecated in later releases (${d.replacement}, ${d.since}); keep it while this is ${v.value}`,
          ready && run.doc ? migrateCmd : null,
        )
      }
      const fix = run.doc ? migrateCmd : undefined
      const list = deprecated.map((d) => `${d.key} → ${d.replacement}`).join(', ')
      return migratable > 0
        ? {status: 'warn', evidence: list, ...(fix && {fix})}
        : {status: 'pass', evidence: `${list} (replacements need a newer MediaMTX)`}
    }),
  )
}
