/** The options and report of `r58 mediamtx check`, and the findings its checks add. */
import type {ExitCode} from '../../errors.js'
import type {Check} from '../../report/check.js'
import type {MediamtxApiOptions} from '../api-client.js'
import type {VersionInfo} from '../configure.js'
import type {Candidate, Interfaces} from '../predicted-candidates.js'

export type Severity = 'info' | 'warn' | 'error'

export interface Finding {
  /** The id of the check it belongs to, e.g. `mediamtx.config.unknown-keys`. */
  id: string
  severity: Severity
  message: string
  /** An exact command or edit that fixes it, or null. */
  fix: string | null
}

export interface MediamtxCheckOptions {
  /** mediamtx.yml to read. */
  file?: string | undefined
  /** The control API. `explicit: false` (the default address) is only tried when the file enables the API. */
  api?: (MediamtxApiOptions & {explicit?: boolean}) | undefined
  /** `--mediamtx-version`. */
  version?: string | undefined
  /** Environment to look for MTX_* overrides in. Default: none. */
  env?: NodeJS.ProcessEnv
  /** This host's interfaces (injected in tests). Default os.networkInterfaces. */
  interfaces?: () => Interfaces
  readFile?: (path: string) => Promise<Buffer>
  now?: () => number
  signal?: AbortSignal
}

export interface MediamtxCheckReport {
  source: {file: string | null; api: string | null}
  version: VersionInfo
  candidates: Candidate[]
  findings: Finding[]
  checks: Check[]
  ok: boolean
  exitCode: ExitCode
}
