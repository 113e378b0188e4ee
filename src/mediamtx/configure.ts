/**
 * `r58 mediamtx configure`: plan → edit → verify → validate → diff, then optionally write the file (locked,
 * atomic, backed up, refused if it changed meanwhile) and/or PATCH the changed keys into the live server.
 * A dry run is the default. The file is byte-identical after any failure, because nothing is written until
 * the edited text has been re-parsed, checked to hold exactly the intended values and validated.
 */
import {isDeepStrictEqual} from 'node:util'
import {R58Error} from '../errors.js'
import {sleep} from '../util/abort.js'
import {type MediamtxApi, MediamtxApi as MediamtxApiClient, type MediamtxApiOptions} from './api-client.js'
import {applyChanges} from './apply-changes.js'
import {type ConfigDoc, parseConfigDoc} from './config-doc.js'
import {assertValid, type Problem, validateConfig} from './config-validate.js'
import {unifiedDiff} from './diff.js'
import {envOverrides} from './env-overrides.js'
import type {FileLockOptions} from './file-lock.js'
import {type Change, type Operation, type OperationOutcome, planOperations} from './operations.js'
import {editFileSafely, type FileSnapshot, readConfigSnapshot} from './safe-write.js'
import {type FileWarning, secretExposureWarnings} from './secret-exposure.js'
import {formatVersion, parseVersion, type Version} from './version.js'
import {inferVersion} from './version-infer.js'
import {detectStyle} from './yaml-style.js'

export interface VersionInfo {
  /** `v1.20.1` */
  value: string
  source: 'api' | 'flag' | 'inferred'
  note: string
}

export interface ResolvedVersion extends VersionInfo {
  version: Version
}

export interface PlanOptions {
  operations: readonly Operation[]
  /** The version when known (flag or API); inferred from the file's keys otherwise. */
  version?: ResolvedVersion | undefined
  localAddresses?: readonly string[]
  /** For notes about MTX_* variables that override edited keys. Default: none. */
  env?: NodeJS.ProcessEnv
}

export interface PlannedEdit {
  path: string
  version: ResolvedVersion
  operations: OperationOutcome[]
  changes: Change[]
  before: string
  after: string
  diff: string
  notes: string[]
}

/** The version from a `--mediamtx-version` value (E_USAGE when malformed). */
export function versionFromFlag(text: string): ResolvedVersion {
  const version = parseVersion(text)
  if (!version) {
    throw new R58Error(
      'E_USAGE',
      `--mediamtx-version: expected a release such as v1.20.1, got ${JSON.stringify(text)}`,
      {
        field: '--mediamtx-version',
      },
    )
  }
  return {version, value: formatVersion(version), source: 'flag', note: 'given with --mediamtx-version'}
}

/** The version inferred from a config's keys (and `clientOnly` in its ICE servers). */
export function versionFromKeys(doc: ConfigDoc, what = 'the file'): ResolvedVersion {
  const servers = doc.value('webrtcICEServers2')
  const clientOnly =
    Array.isArray(servers) && servers.some((s) => s !== null && typeof s === 'object' && 'clientOnly' in s)
  const inferred = inferVersion(doc.keys(), {clientOnly}, what)
  return {version: inferred.version, value: formatVersion(inferred.version), source: 'inferred', note: inferred.note}
}

/** Checks that the edited text holds exactly the intended values, and nothing else moved. */
function verifyEdit(before: ConfigDoc, after: ConfigDoc, changes: readonly Change[]): void {
  const fail = (what: string) => {
    throw new R58Error('E_MEDIAMTX_CONFIG', `${before.path}: internal check failed (${what}); nothing was written`, {
      hint: 'This is a bug in r58: please report it with the file. Make this change by hand meanwhile.',
    })
  }
  const expected = new Set(before.keys())
  for (const change of changes) {
    if (change.renamedFrom) expected.delete(change.renamedFrom)
    if (change.after === undefined) expected.delete(change.key)
    else expected.add(change.key)
  }
  const got = after.keys()
  if (got.length !== expected.size || got.some((key) => !expected.has(key))) fail('the set of keys changed')
  for (const change of changes) {
    if (change.after !== undefined && !isDeepStrictEqual(after.value(change.key), change.after)) {
      fail(`${change.key} does not read back as intended`)
    }
  }
  const touched = new Set(changes.flatMap((c) => [c.key, c.renamedFrom ?? c.key]))
  for (const key of got) {
    if (touched.has(key)) continue
    const a = before.entry(key)
    const b = after.entry(key)
    if (a && b && before.text.slice(a.keyStart, a.end) !== after.text.slice(b.keyStart, b.end)) fail(`${key} moved`)
  }
}

/** Output problems that were already in the input keep the input's position. */
function locateInInput(output: Problem[], input: Problem[]): Problem[] {
  return output.map((problem) => {
    const same = input.find((p) => p.id === problem.id && p.message === problem.message)
    return same ? {...same, message: `${same.message} (already in the file)`} : problem
  })
}

/** Refusals about the file as a whole name the file. */
function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof R58Error && error.code === 'E_MEDIAMTX_CONFIG' && !error.text.startsWith(path)) {
      throw new R58Error(error.code, `${path}: ${error.text}`, {
        hint: error.hint,
        field: error.field ?? path,
        cause: error,
      })
    }
    throw error
  }
}

/** Plans and performs the edit in memory: nothing is read or written. Throws on refusals and invalid results. */
export function planConfigure(text: string, path: string, options: PlanOptions): PlannedEdit {
  const doc = parseConfigDoc(text, path)
  const version = options.version ?? versionFromKeys(doc)
  const inferred = version.source === 'inferred'
  // A malformed value is not guessed at: edits start from a file whose values have the right types.
  assertValid(
    validateConfig(doc, version.version, {unknownKeys: false}).filter((p) => p.id === 'mediamtx.config.types'),
    'Nothing was written:',
  )
  const plan = withPath(path, () =>
    planOperations(doc, options.operations, {
      version: version.version,
      versionSource: version.source,
      ...(options.localAddresses && {localAddresses: options.localAddresses}),
    }),
  )
  const after = plan.changes.length > 0 ? applyChanges(doc, plan.changes, detectStyle(doc)) : text
  const afterDoc = after === text ? doc : parseConfigDoc(after, path)
  if (afterDoc !== doc) verifyEdit(doc, afterDoc, plan.changes)
  const problems = validateConfig(afterDoc, version.version, {inferred})
  if (problems.length > 0) {
    const input = afterDoc === doc ? problems : validateConfig(doc, version.version, {inferred})
    assertValid(
      locateInInput(problems, input),
      `Nothing was written: MediaMTX ${version.value} would refuse this file.`,
    )
  }
  const notes = [...plan.notes]
  const overridden = envOverrides(options.env ?? {})
  for (const change of plan.changes) {
    for (const o of overridden.filter((o) => o.key === change.key || o.key === change.renamedFrom)) {
      notes.push(`${o.variable} is set here and overrides ${o.key}: if MediaMTX runs with it, this edit has no effect.`)
    }
  }
  return {
    path,
    version,
    operations: plan.outcomes,
    changes: plan.changes,
    before: text,
    after,
    diff: unifiedDiff(text, after, path, path),
    notes,
  }
}

export interface ConfigureOptions {
  /** mediamtx.yml. Without it, `apply` works on the live configuration alone. */
  file?: string | undefined
  operations: readonly Operation[]
  /** `--mediamtx-version`: exact version. */
  version?: string | undefined
  /** The control API: the version comes from it (unless `version`), and `apply` patches it. */
  api?: MediamtxApiOptions | undefined
  /** Replace the file (dry run otherwise). */
  write?: boolean
  /** PATCH the changed keys into the running MediaMTX. */
  apply?: boolean
  /** Apply even while WebRTC sessions are active (they are dropped); write even a read-only file. */
  force?: boolean
  /** Keep a timestamped backup when writing. Default true. */
  backup?: boolean
  lock?: FileLockOptions
  env?: NodeJS.ProcessEnv
  localAddresses?: readonly string[]
  now?: () => Date
  /** Test hooks. */
  readFile?: (path: string) => Promise<Buffer>
  beforeReplace?: () => Promise<void>
  /** Wait between retries while MediaMTX restarts its API after a PATCH. Default 200 ms. */
  retryDelayMs?: number
  signal?: AbortSignal
}

export interface AppliedResult {
  url: string
  /** Keys sent in the PATCH. */
  keys: string[]
  /** WebRTC sessions that were active (and dropped by the restart). */
  sessions: number
  /** The live configuration read back after the PATCH holds the new values. */
  verified: boolean
}

export interface ConfigureResult {
  path: string | null
  version: VersionInfo
  operations: OperationOutcome[]
  changes: Change[]
  diff: string
  written: boolean
  backupPath: string | null
  applied: AppliedResult | null
  noop: boolean
  notes: string[]
  /** Things the operator should act on, e.g. a TURN password in a file others may read. */
  warnings: FileWarning[]
}

/** The version from the API (`/v3/info`), or null when the server predates it (v1.15.2). */
async function versionFromApi(api: MediamtxApi, url: string): Promise<ResolvedVersion | null> {
  const info = await api.info()
  const version = info.version ? parseVersion(info.version) : undefined
  if (!version) return null
  return {version, value: formatVersion(version), source: 'api', note: `reported by ${url}/v3/info`}
}

/** Retries a request while MediaMTX restarts its API listener after a configuration change. */
async function retrying<T>(fn: () => Promise<T>, delayMs: number, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      const transient = error instanceof R58Error && (error.code === 'E_UNREACHABLE' || error.code === 'E_TIMEOUT')
      if (!transient || attempt >= 5) throw error
      await sleep(delayMs * (attempt + 1), signal)
    }
  }
}

const REDACTED_VALUE = '<redacted>'

function sameIgnoringRedacted(live: unknown, wanted: unknown): boolean {
  if (live === REDACTED_VALUE) return true
  if (Array.isArray(live) && Array.isArray(wanted)) {
    return live.length === wanted.length && live.every((item, i) => sameIgnoringRedacted(item, wanted[i]))
  }
  if (live && wanted && typeof live === 'object' && typeof wanted === 'object') {
    const w = wanted as Record<string, unknown>
    return Object.entries(w).every(([key, value]) =>
      sameIgnoringRedacted((live as Record<string, unknown>)[key], value),
    )
  }
  return isDeepStrictEqual(live, wanted)
}

/** `key: value` lines of the changed keys, for a dry run against the live configuration. */
function keyDiff(changes: readonly Change[], from: string): string {
  if (changes.length === 0) return ''
  const lines = [`--- ${from}`, `+++ ${from} (patched)`]
  for (const change of changes) {
    lines.push(`@@ ${change.key} @@`)
    if (change.before !== undefined) lines.push(`-${change.key}: ${JSON.stringify(change.before)}`)
    if (change.after !== undefined) lines.push(`+${change.key}: ${JSON.stringify(change.after)}`)
  }
  return `${lines.join('\n')}\n`
}

/** Configures MediaMTX as asked; see the module comment. */
export async function configureMediamtx(options: ConfigureOptions): Promise<ConfigureResult> {
  refuseUnusable(options)
  const url = options.api?.baseUrl.replace(/\/+$/, '') ?? ''
  const api = options.api
    ? new MediamtxApiClient({...options.api, ...(options.signal && {signal: options.signal})})
    : undefined
  let version: ResolvedVersion | undefined = options.version ? versionFromFlag(options.version) : undefined
  if (!version && api) version = (await versionFromApi(api, url)) ?? undefined
  const guardSessions = sessionGuard(api, options.force === true)
  const edit = options.file
    ? await editFile(options, options.file, version, guardSessions)
    : {
        planned: await planLive(options, api as MediamtxApi, url, version),
        written: false,
        backupPath: null,
        warnings: [],
      }
  const {planned} = edit
  const notes = [...planned.notes]
  const applied =
    options.apply && api && planned.changes.length > 0
      ? await applyLive(options, api, url, planned.changes, await guardSessions(), notes)
      : null
  return {
    path: options.file ?? null,
    version: {value: planned.version.value, source: planned.version.source, note: planned.version.note},
    operations: planned.operations,
    changes: planned.changes,
    diff: planned.diff,
    written: edit.written,
    backupPath: edit.backupPath,
    applied,
    noop: planned.changes.length === 0,
    notes,
    warnings: edit.warnings,
  }
}

/** Option combinations that cannot work: nothing to configure, --apply without an API, file-only edits without a file. */
function refuseUnusable(options: ConfigureOptions): void {
  if (!options.file && !options.api) {
    throw new R58Error(
      'E_USAGE',
      'Nothing to configure: give the mediamtx.yml with --file, or the live server with --mediamtx-api-url',
      {
        field: '--file',
        hint: 'e.g. r58 mediamtx configure --file /etc/mediamtx/mediamtx.yml --add-host 100.64.0.5',
      },
    )
  }
  if (options.apply && !options.api) {
    throw new R58Error('E_USAGE', '--apply needs the control API address (--mediamtx-api-url URL)', {field: '--apply'})
  }
  if (!options.file && options.operations.some((o) => o.op === 'add-path' || o.op === 'migrate-deprecated')) {
    throw new R58Error('E_USAGE', '--add-path and --migrate-deprecated edit the file: give it with --file', {
      field: '--file',
    })
  }
}

/**
 * Counts the active WebRTC sessions once (0 without an API) and refuses, unless `force`, to go on while there
 * are any: applying restarts MediaMTX's WebRTC server and drops them.
 */
function sessionGuard(api: MediamtxApi | undefined, force: boolean): () => Promise<number> {
  let sessionsChecked: number | undefined
  return async () => {
    if (!api) return 0
    if (sessionsChecked !== undefined) return sessionsChecked
    const sessions = (await api.webrtcSessions()).length
    sessionsChecked = sessions
    if (sessions > 0 && !force) {
      throw new R58Error(
        'E_MEDIAMTX_CONFIG',
        `MediaMTX has ${sessions} active WebRTC session${sessions === 1 ? '' : 's'}; applying the change restarts its WebRTC server and drops ${sessions === 1 ? 'it' : 'them'}`,
        {field: '--apply', hint: 'Pass --force to apply anyway, or run again when nobody is connected.'},
      )
    }
    return sessions
  }
}

function planOptionsOf(options: ConfigureOptions, version: ResolvedVersion | undefined): PlanOptions {
  return {
    operations: options.operations,
    version,
    ...(options.localAddresses && {localAddresses: options.localAddresses}),
    ...(options.env && {env: options.env}),
  }
}

interface FileEdit {
  planned: PlannedEdit
  written: boolean
  backupPath: string | null
  warnings: FileWarning[]
}

/** Plans the edit of the file; with `write`, replaces it safely (sessions are guarded before, when applying too). */
async function editFile(
  options: ConfigureOptions,
  file: string,
  version: ResolvedVersion | undefined,
  guardSessions: () => Promise<number>,
): Promise<FileEdit> {
  if (!options.write) {
    const snapshot = await readConfigSnapshot(file, options.readFile ? {readFile: options.readFile} : {})
    const planned = planConfigure(snapshot.text, file, planOptionsOf(options, version))
    const pending = planned.after !== planned.before
    const warnings = await secretExposureWarnings(file, snapshot.target, planned.after, pending)
    return {planned, written: false, backupPath: null, warnings}
  }
  const edit = await editFileSafely(
    file,
    async (snapshot: FileSnapshot) => {
      const plan = planConfigure(snapshot.text, file, planOptionsOf(options, version))
      if (options.apply && plan.changes.length > 0) await guardSessions()
      return {text: plan.after === plan.before ? null : plan.after, result: plan}
    },
    {
      backup: options.backup ?? true,
      ...(options.force && {force: true}),
      ...(options.lock && {lock: options.lock}),
      ...(options.now && {now: options.now}),
      ...(options.readFile && {readFile: options.readFile}),
      ...(options.beforeReplace && {beforeReplace: options.beforeReplace}),
    },
  )
  return {
    planned: edit.result,
    written: edit.write !== null,
    backupPath: edit.write?.backupPath ?? null,
    warnings: await secretExposureWarnings(file, edit.snapshot.target, edit.result.after, false),
  }
}

/** Plans the change of the live configuration alone (no file): the diff lists the changed keys. */
async function planLive(
  options: ConfigureOptions,
  api: MediamtxApi,
  url: string,
  version: ResolvedVersion | undefined,
): Promise<PlannedEdit> {
  const live = await api.globalConfig()
  const from = `${url}/v3/config/global/get`
  const doc = parseConfigDoc(JSON.stringify(live, null, 2), from)
  const resolved = version ?? versionFromKeys(doc, 'the live configuration')
  const plan = planOperations(doc, options.operations, {
    version: resolved.version,
    versionSource: resolved.source,
    ...(options.localAddresses && {localAddresses: options.localAddresses}),
  })
  return {
    path: from,
    version: resolved,
    operations: plan.outcomes,
    changes: plan.changes,
    before: '',
    after: '',
    diff: keyDiff(plan.changes, from),
    notes: plan.notes,
  }
}

/** PATCHes the changed keys (paths and renames stay file-only) and reads them back; adds its notes to `notes`. */
async function applyLive(
  options: ConfigureOptions,
  api: MediamtxApi,
  url: string,
  changes: readonly Change[],
  sessions: number,
  notes: string[],
): Promise<AppliedResult> {
  const patch: Record<string, unknown> = {}
  for (const change of changes) {
    if (change.key === 'paths') continue
    if (change.after !== undefined) patch[change.key] = change.after
  }
  if (changes.some((c) => c.key === 'paths')) {
    notes.push('Paths are not sent through the API; MediaMTX reads them from the file (use --write).')
  }
  if (changes.some((c) => c.renamedFrom || c.after === undefined)) {
    notes.push('Deprecated keys are migrated in the file only; the API already reports them under their new names.')
  }
  const keys = Object.keys(patch)
  let verified = true
  if (keys.length > 0) {
    await api.patchGlobalConfig(patch)
    const live = await retrying(() => api.globalConfig(), options.retryDelayMs ?? 200, options.signal)
    verified = keys.every((key) => sameIgnoringRedacted(live[key], patch[key]))
  }
  notes.push(
    options.write || !options.file
      ? 'Changes made through the API last until MediaMTX reloads its file.'
      : 'Changes made through the API last until MediaMTX reloads its file; add --write to keep them.',
  )
  return {url, keys, sessions, verified}
}
