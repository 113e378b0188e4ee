/**
 * What every stage of `mediamtx check` shares: the options, the checks and findings so far, and what the
 * earlier stages learnt (the parsed file, the API's address, the live config and version, the session count).
 * Once a config is readable and a version known, the config stages also share an ExaminedConfig.
 */
import type {Check} from '../../report/check.js'
import type {ConfigDoc} from '../config-doc.js'
import type {MediamtxConfig} from '../config-read.js'
import type {Problem} from '../config-validate.js'
import type {ResolvedVersion} from '../configure.js'
import type {Finding, MediamtxCheckOptions, Severity} from './mediamtx-check-types.js'

export interface CheckRun {
  options: MediamtxCheckOptions
  checks: Check[]
  findings: Finding[]
  now: () => number
  /** `--file PATH` (shell-quoted) for the fix commands, or '' without a file. */
  fileArg: string
  /** Adds a finding to the check `id`. */
  add(id: string, severity: Severity, message: string, fix?: string | null): void
  /** The parsed file, once it parsed. */
  doc: ConfigDoc | undefined
  /** The control API's address (no trailing slash), when one was tried. */
  apiUrl: string | null
  /** The running server's global config, once the API answered. */
  live: Record<string, unknown> | undefined
  /** The version the API reported (`/v3/info`, v1.15.2+). */
  liveVersion: ResolvedVersion | undefined
  /** Active WebRTC sessions, once the API answered. */
  sessions: number | null
}

/** The config under examination (the file if readable, else the live config) and what the checks of it share. */
export interface ExaminedConfig {
  version: ResolvedVersion
  doc: ConfigDoc
  /** The file's path, or the API URL the live config came from. */
  name: string
  view: MediamtxConfig
  /** MediaMTX's load-time problems with it (validateConfig). */
  problems: Problem[]
  /** `r58 mediamtx configure …` aimed at the same config (and version), for fixes. */
  configureCmd: string
  /** configureCmd with --migrate-deprecated --write. */
  migrateCmd: string
}

const shellQuote = (text: string) => (/^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`)

export function createCheckRun(options: MediamtxCheckOptions): CheckRun {
  const findings: Finding[] = []
  return {
    options,
    checks: [],
    findings,
    now: options.now ?? Date.now,
    fileArg: options.file ? `--file ${shellQuote(options.file)}` : '',
    add: (id, severity, message, fix = null) => findings.push({id, severity, message, fix}),
    doc: undefined,
    apiUrl: null,
    live: undefined,
    liveVersion: undefined,
    sessions: null,
  }
}
