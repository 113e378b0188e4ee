/**
 * `r58 mediamtx check`: can a remote WebRTC guest reach this MediaMTX, judging by its config (the file, or
 * the live config through the control API)? Version-aware findings, each with a severity, a message and
 * a fix command, grouped into checks: the config parses and MediaMTX would load it (unknown keys, types,
 * rules), deprecated keys, WebRTC on, the candidates it will advertise and who can reach them, STUN/TURN
 * servers, MTX_* variables that override the file, and the API (reachable, credentials, live-vs-file drift).
 *
 * The check runs as named stages, one module each in src/mediamtx/check/: the sources (file, API), the
 * version, the keys, WebRTC, drift and the environment.
 */
import {R58Error} from '../errors.js'
import {exitCodeOf, isOk, skippedCheck} from '../report/check.js'
import {checkDrift} from './check/mediamtx-check-drift.js'
import {checkEnvOverrides} from './check/mediamtx-check-env.js'
import {checkDeprecatedKeys, checkLoadable, checkUnknownKeys} from './check/mediamtx-check-keys.js'
import {type CheckRun, createCheckRun, type ExaminedConfig} from './check/mediamtx-check-run.js'
import {checkApiReachable, checkFileParses} from './check/mediamtx-check-source.js'
import type {MediamtxCheckOptions, MediamtxCheckReport} from './check/mediamtx-check-types.js'
import {checkVersion, resolveVersion, versionInfoOf} from './check/mediamtx-check-version.js'
import {candidatesOf, checkCandidates, checkIceServers, checkWebrtcEnabled} from './check/mediamtx-check-webrtc.js'
import {parseConfigDoc} from './config-doc.js'
import {readMediamtxConfig} from './config-read.js'
import {validateConfig} from './config-validate.js'
import type {ResolvedVersion} from './configure.js'
import type {Candidate} from './predicted-candidates.js'

export type {Finding, MediamtxCheckOptions, MediamtxCheckReport} from './check/mediamtx-check-types.js'

/** The checks of the config, skipped together when neither the file nor the API could be read. */
const CONFIG_CHECKS = [
  ['mediamtx.config.unknown-keys', 'Every key is known to this MediaMTX'],
  ['mediamtx.config.valid', 'MediaMTX would load the config'],
  ['mediamtx.config.deprecated-keys', 'No deprecated keys'],
  ['mediamtx.webrtc.enabled', 'WebRTC is on'],
  ['mediamtx.webrtc.candidates', 'Candidates a remote guest can reach'],
  ['mediamtx.webrtc.ice-servers', 'STUN/TURN servers'],
] as const

export async function mediamtxCheck(options: MediamtxCheckOptions): Promise<MediamtxCheckReport> {
  if (!options.file && !options.api?.explicit) {
    throw new R58Error(
      'E_USAGE',
      'Nothing to check: give the mediamtx.yml with --file, or the live server with --mediamtx-api-url',
      {field: '--file', hint: 'e.g. r58 mediamtx check --file /etc/mediamtx/mediamtx.yml'},
    )
  }
  const run = createCheckRun(options)
  if (options.file) await checkFileParses(run, options.file)
  await checkApiReachable(run)
  const version = resolveVersion(run)
  const config = version ? examinedConfig(run, version) : undefined
  const candidates = config ? await checkConfig(run, config) : skipConfigChecks(run)
  await checkEnvOverrides(run)
  return report(run, version, candidates)
}

/** The file if it parsed, else the live config; undefined when neither could be read. */
function examinedConfig(run: CheckRun, version: ResolvedVersion): ExaminedConfig | undefined {
  const {doc, live, apiUrl} = run
  const text = doc ? doc.text : live ? JSON.stringify(live, null, 2) : undefined
  if (text === undefined) return undefined
  const name = doc ? (run.options.file as string) : `${apiUrl}/v3/config/global/get`
  const versionArg =
    version.source === 'flag'
      ? ` --mediamtx-version ${version.value}`
      : version.source === 'api' && doc
        ? ` --mediamtx-api-url ${apiUrl}`
        : ''
  const configureCmd = doc
    ? `r58 mediamtx configure ${run.fileArg}${versionArg}`
    : `r58 mediamtx configure --mediamtx-api-url ${apiUrl}`
  const examined = doc ?? parseConfigDoc(text, name)
  return {
    version,
    doc: examined,
    name,
    view: readMediamtxConfig(text, name),
    problems: validateConfig(examined, version.version, {
      unknownKeys: Boolean(doc),
      inferred: version.source === 'inferred',
    }),
    configureCmd,
    migrateCmd: `${configureCmd} --migrate-deprecated --write`,
  }
}

/** Without a readable config (or version) its checks say so; no candidates are predicted. */
function skipConfigChecks(run: CheckRun): Candidate[] {
  for (const [id, title] of CONFIG_CHECKS) {
    run.checks.push(skippedCheck(id, title, 'not checked: no readable configuration'))
  }
  return []
}

/** The stages that examine the config, in report order; returns the predicted candidates. */
async function checkConfig(run: CheckRun, config: ExaminedConfig): Promise<Candidate[]> {
  await checkVersion(run, config.version)
  await checkUnknownKeys(run, config)
  await checkLoadable(run, config)
  await checkDeprecatedKeys(run, config)
  await checkWebrtcEnabled(run, config)
  const candidates = candidatesOf(run, config)
  await checkCandidates(run, config, candidates)
  await checkIceServers(run, config)
  if (run.doc && run.live) await checkDrift(run, config.doc, config.name, run.live)
  return candidates
}

function report(run: CheckRun, version: ResolvedVersion | undefined, candidates: Candidate[]): MediamtxCheckReport {
  const {checks, findings, sessions} = run
  if (sessions !== null)
    run.add('mediamtx.api.reachable', 'info', `${sessions} WebRTC session(s) active; any WebRTC change drops them.`)
  const order = new Map(checks.map((c, i) => [c.id, i]))
  findings.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
  return {
    source: {file: run.options.file ?? null, api: run.apiUrl},
    version: versionInfoOf(version),
    candidates,
    findings,
    checks,
    ok: isOk(checks),
    exitCode: exitCodeOf(checks),
  }
}
