/**
 * The first stages of `mediamtx check`: read the file (mediamtx.config.parse), then the running server
 * through its control API (mediamtx.api.reachable): its version, live config and WebRTC sessions.
 */
import {type Check, runCheck, skippedCheck} from '../../report/check.js'
import {MediamtxApi, type MediamtxApiOptions} from '../api-client.js'
import {type ConfigDoc, parseConfigDoc} from '../config-doc.js'
import {readConfigSnapshot} from '../safe-write.js'
import {formatVersion, parseVersion} from '../version.js'
import type {CheckRun} from './mediamtx-check-run.js'

/** mediamtx.config.parse: the file reads and parses; sets run.doc. */
export async function checkFileParses(run: CheckRun, file: string): Promise<void> {
  const check = await runCheck('mediamtx.config.parse', 'mediamtx.yml parses', async () => {
    const readFile = run.options.readFile
    const snapshot = await readConfigSnapshot(file, readFile ? {readFile} : {})
    const doc = parseConfigDoc(snapshot.text, file)
    run.doc = doc
    return {status: 'pass', evidence: `${file}: ${doc.keys().length} settings`}
  })
  run.checks.push(check)
  if (check.status === 'fail') run.add('mediamtx.config.parse', 'error', check.evidence, check.fix ?? null)
}

/** `api: yes` + `apiAddress: :9997` → `http://127.0.0.1:9997`. */
function apiUrlFromFile(doc: ConfigDoc): string | null {
  const enabled = doc.value('api')
  if (enabled !== true) return null
  const address = String(doc.value('apiAddress') ?? ':9997')
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address)
  if (!match) return null
  const host = match[1] ?? match[2] ?? ''
  const shown =
    host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host
  return `http://${shown}:${match[3]}`
}

/** The API to ask: the one given explicitly, else the one the file enables, else none. */
function apiToAsk(run: CheckRun): MediamtxApiOptions | undefined {
  const given = run.options.api
  if (given?.explicit) return given
  if (!run.doc) return undefined
  const fromFile = apiUrlFromFile(run.doc)
  return fromFile ? {...(given ?? {}), baseUrl: fromFile} : undefined
}

/** mediamtx.api.reachable: asks the API for its version, global config and sessions; sets run.live and co. */
export async function checkApiReachable(run: CheckRun): Promise<void> {
  const apiOptions = apiToAsk(run)
  if (!apiOptions) {
    run.checks.push(
      skippedCheck(
        'mediamtx.api.reachable',
        'Control API reachable',
        run.doc ? 'not checked: no --mediamtx-api-url given and the file has api: no' : 'not checked',
        'Pass --mediamtx-api-url http://127.0.0.1:9997 to check the running server too.',
      ),
    )
    return
  }
  const url = apiOptions.baseUrl.replace(/\/+$/, '')
  run.apiUrl = url
  const signal = run.options.signal
  const api = new MediamtxApi({...apiOptions, ...(signal && {signal})})
  const check = await runCheck('mediamtx.api.reachable', 'Control API reachable', async () => {
    const info = await api.info()
    run.live = await api.globalConfig()
    const sessions = (await api.webrtcSessions()).length
    run.sessions = sessions
    const parsed = info.version ? parseVersion(info.version) : undefined
    if (parsed) {
      run.liveVersion = {
        version: parsed,
        value: formatVersion(parsed),
        source: 'api',
        note: `reported by ${url}/v3/info`,
      }
    }
    return {
      status: 'pass',
      evidence: `${url}: MediaMTX ${info.version ?? '(older than v1.15.2, no /v3/info)'}, ${sessions} WebRTC session${sessions === 1 ? '' : 's'} active`,
      data: {version: info.version, sessions},
    }
  })
  run.checks.push(check)
  if (check.status === 'fail') addApiFailure(run, check)
}

/** The finding of a failed API check; an API only the file pointed at is downgraded to a warning. */
function addApiFailure(run: CheckRun, check: Check): void {
  if (!run.options.api?.explicit) {
    // Only the file said where the API is: a server that is down (or wants credentials) is worth a
    // warning, not a failure of a file check.
    check.status = 'warn'
    delete check.failure
    check.evidence = `the file enables the API, but ${check.evidence}`
    check.fix ??=
      'Start MediaMTX, or pass --mediamtx-api-url URL (with --mediamtx-api-user and --mediamtx-api-password-file if it asks).'
    run.add('mediamtx.api.reachable', 'warn', check.evidence, check.fix)
    return
  }
  run.add(
    'mediamtx.api.reachable',
    'error',
    check.evidence,
    check.fix ??
      (check.failure === 'unreachable'
        ? 'Enable the API (api: yes) and check apiAddress, or pass the right --mediamtx-api-url URL.'
        : null),
  )
}
