/**
 * `r58 mediamtx check`: can a remote WebRTC guest reach this MediaMTX, judging by its config (the file, or
 * the live config through the control API)? Version-aware findings, each with a severity, a message and
 * a fix command, grouped into checks: the config parses and MediaMTX would load it (unknown keys, types,
 * rules), deprecated keys, WebRTC on, the candidates it will advertise and who can reach them, STUN/TURN
 * servers, MTX_* variables that override the file, and the API (reachable, credentials, live-vs-file drift).
 */
import {networkInterfaces} from 'node:os'
import {isDeepStrictEqual} from 'node:util'
import {type ExitCode, R58Error} from '../errors.js'
import {
  type Check,
  type CheckFailure,
  type CheckOutcome,
  exitCodeOf,
  isOk,
  runCheck,
  skippedCheck,
} from '../report/check.js'
import {MediamtxApi, type MediamtxApiOptions} from './api-client.js'
import {type ConfigDoc, parseConfigDoc} from './config-doc.js'
import {readMediamtxConfig} from './config-read.js'
import {validateConfig} from './config-validate.js'
import {type ResolvedVersion, type VersionInfo, versionFromFlag, versionFromKeys} from './configure.js'
import {deprecatedKeysIn} from './deprecations.js'
import {envOverrides} from './env-overrides.js'
import {
  type Candidate,
  describeCandidate,
  effectiveWebrtc,
  type Interfaces,
  predictCandidates,
} from './predicted-candidates.js'
import {readConfigSnapshot} from './safe-write.js'
import {atLeast, formatVersion, parseVersion} from './version.js'

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

const q = (text: string) => (/^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`)

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

export async function mediamtxCheck(options: MediamtxCheckOptions): Promise<MediamtxCheckReport> {
  if (!options.file && !options.api?.explicit) {
    throw new R58Error(
      'E_USAGE',
      'Nothing to check: give the mediamtx.yml with --file, or the live server with --mediamtx-api-url',
      {
        field: '--file',
        hint: 'e.g. r58 mediamtx check --file /etc/mediamtx/mediamtx.yml',
      },
    )
  }
  const findings: Finding[] = []
  const checks: Check[] = []
  const now = options.now ?? Date.now
  const add = (id: string, severity: Severity, message: string, fix: string | null = null) =>
    findings.push({id, severity, message, fix})
  const fileArg = options.file ? `--file ${q(options.file)}` : ''

  // The file
  let doc: ConfigDoc | undefined
  if (options.file) {
    const file = options.file
    checks.push(
      await runCheck('mediamtx.config.parse', 'mediamtx.yml parses', async () => {
        const snapshot = await readConfigSnapshot(file, options.readFile ? {readFile: options.readFile} : {})
        doc = parseConfigDoc(snapshot.text, file)
        return {status: 'pass', evidence: `${file}: ${doc.keys().length} settings`}
      }),
    )
    const failed = checks[0]
    if (failed?.status === 'fail') add('mediamtx.config.parse', 'error', failed.evidence, failed.fix ?? null)
  }

  // The API
  let apiUrl: string | null = null
  let apiOptions: MediamtxApiOptions | undefined
  if (options.api?.explicit) apiOptions = options.api
  else if (doc) {
    const fromFile = apiUrlFromFile(doc)
    if (fromFile) apiOptions = {...(options.api ?? {}), baseUrl: fromFile}
  }
  let live: Record<string, unknown> | undefined
  let liveVersion: ResolvedVersion | undefined
  let sessions: number | null = null
  if (apiOptions) {
    apiUrl = apiOptions.baseUrl.replace(/\/+$/, '')
    const api = new MediamtxApi({...apiOptions, ...(options.signal && {signal: options.signal})})
    const url = apiUrl
    checks.push(
      await runCheck('mediamtx.api.reachable', 'Control API reachable', async () => {
        const info = await api.info()
        live = await api.globalConfig()
        sessions = (await api.webrtcSessions()).length
        const parsed = info.version ? parseVersion(info.version) : undefined
        if (parsed) {
          liveVersion = {
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
      }),
    )
    const apiCheck = checks.at(-1) as Check
    if (apiCheck.status === 'fail' && !options.api?.explicit) {
      // Only the file said where the API is: a server that is down (or wants credentials) is worth a
      // warning, not a failure of a file check.
      apiCheck.status = 'warn'
      delete apiCheck.failure
      apiCheck.evidence = `the file enables the API, but ${apiCheck.evidence}`
      apiCheck.fix ??=
        'Start MediaMTX, or pass --mediamtx-api-url URL (with --mediamtx-api-user and --mediamtx-api-password-file if it asks).'
      add('mediamtx.api.reachable', 'warn', apiCheck.evidence, apiCheck.fix)
    } else if (apiCheck.status === 'fail') {
      add(
        'mediamtx.api.reachable',
        'error',
        apiCheck.evidence,
        apiCheck.fix ??
          (apiCheck.failure === 'unreachable'
            ? 'Enable the API (api: yes) and check apiAddress, or pass the right --mediamtx-api-url URL.'
            : null),
      )
    }
  } else {
    checks.push(
      skippedCheck(
        'mediamtx.api.reachable',
        'Control API reachable',
        doc ? 'not checked: no --mediamtx-api-url given and the file has api: no' : 'not checked',
        'Pass --mediamtx-api-url http://127.0.0.1:9997 to check the running server too.',
      ),
    )
  }

  // The version
  let version: ResolvedVersion | undefined
  if (options.version) version = versionFromFlag(options.version)
  else if (liveVersion) version = liveVersion
  else if (doc) version = versionFromKeys(doc)
  else if (live) version = versionFromKeys(parseConfigDoc(JSON.stringify(live), 'API'), 'the live configuration')
  const versionInfo: VersionInfo = version
    ? {value: version.value, source: version.source, note: version.note}
    : {value: 'unknown', source: 'inferred', note: 'neither the file nor the API could be read'}

  // The config under examination: the file if readable, else the live config.
  const configText = doc ? doc.text : live ? JSON.stringify(live, null, 2) : undefined
  const configName = doc ? (options.file as string) : `${apiUrl}/v3/config/global/get`
  let candidates: Candidate[] = []
  if (configText === undefined || !version) {
    for (const [id, title] of [
      ['mediamtx.config.unknown-keys', 'Every key is known to this MediaMTX'],
      ['mediamtx.config.valid', 'MediaMTX would load the config'],
      ['mediamtx.config.deprecated-keys', 'No deprecated keys'],
      ['mediamtx.webrtc.enabled', 'WebRTC is on'],
      ['mediamtx.webrtc.candidates', 'Candidates a remote guest can reach'],
      ['mediamtx.webrtc.ice-servers', 'STUN/TURN servers'],
    ] as const) {
      checks.push(skippedCheck(id, title, 'not checked: no readable configuration'))
    }
  } else {
    const v = version
    const versionArg =
      v.source === 'flag'
        ? ` --mediamtx-version ${v.value}`
        : v.source === 'api' && doc
          ? ` --mediamtx-api-url ${apiUrl}`
          : ''
    const configureCmd = doc
      ? `r58 mediamtx configure ${fileArg}${versionArg}`
      : `r58 mediamtx configure --mediamtx-api-url ${apiUrl}`
    const migrateCmd = `${configureCmd} --migrate-deprecated --write`
    const configDoc = doc ?? parseConfigDoc(configText, configName)
    const view = readMediamtxConfig(configText, configName)
    const problems = validateConfig(configDoc, v.version, {
      unknownKeys: Boolean(doc),
      inferred: v.source === 'inferred',
    })

    checks.push(
      await runCheck('mediamtx.version', 'MediaMTX has WHIP publishing', async () => {
        if (!atLeast(v.version, 'v0.23.0')) {
          if (v.source === 'inferred') {
            // A lower bound only: v0.23.0's default file has no key that v0.22 lacks.
            const message = `The file does not tell whether MediaMTX is v0.23.0 or later (${v.note}); older releases have no WHIP publishing`
            const fix = 'Pass --mediamtx-version (or --mediamtx-api-url); upgrade MediaMTX if it is older than v0.23.0.'
            add('mediamtx.version', 'warn', message, fix)
            return {status: 'warn', evidence: `${v.value} or later (inferred)`, fix}
          }
          const message = `MediaMTX ${v.value} has no WebRTC publishing (WHIP arrived in v0.23.0)`
          add('mediamtx.version', 'error', message, 'Upgrade MediaMTX.')
          return {status: 'fail', evidence: message, fix: 'Upgrade MediaMTX.'}
        }
        if (v.source === 'inferred') add('mediamtx.version', 'info', `Version ${v.note}.`, null)
        return {
          status: 'pass',
          evidence: v.source === 'inferred' ? `${v.value} or later (inferred)` : `${v.value} (${v.note})`,
        }
      }),
    )

    checks.push(
      await runCheck('mediamtx.config.unknown-keys', 'Every key is known to this MediaMTX', async () => {
        if (!doc) return {status: 'skip', evidence: 'the live configuration was loaded by the server'}
        const unknown = problems.filter((p) => p.id === 'mediamtx.config.unknown-keys')
        for (const p of unknown) {
          const fix = p.fix?.includes('--migrate-deprecated') ? migrateCmd : (p.fix ?? null)
          add('mediamtx.config.unknown-keys', 'error', `${p.where}: ${p.message} (on hot reload it shuts down)`, fix)
        }
        if (unknown.length === 0)
          return {status: 'pass', evidence: `all ${doc.keys().length} keys are known to ${v.value}`}
        return {
          status: 'fail',
          failure: 'config',
          evidence: `${unknown.length} key${unknown.length === 1 ? '' : 's'} MediaMTX ${v.value} refuses: ${unknown.map((p) => `${p.where} ${p.key}`).join(', ')}`,
          fix: unknown[0]?.fix?.includes('--migrate-deprecated') ? migrateCmd : (unknown[0]?.fix ?? 'Remove the keys.'),
        }
      }),
    )

    checks.push(
      await runCheck(
        'mediamtx.config.valid',
        'MediaMTX would load the config',
        async (): Promise<CheckOutcome | CheckFailure> => {
          const rest = problems.filter((p) => p.id !== 'mediamtx.config.unknown-keys')
          for (const p of rest) add('mediamtx.config.valid', 'error', `${p.where}: ${p.message}`, p.fix ?? null)
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

    checks.push(
      await runCheck('mediamtx.config.deprecated-keys', 'No deprecated keys', async () => {
        const deprecated = deprecatedKeysIn(configDoc.keys()).filter(
          (d) => d.removedIn === null || !atLeast(v.version, d.removedIn),
        )
        if (deprecated.length === 0) return {status: 'pass', evidence: 'none'}
        let migratable = 0
        for (const d of deprecated) {
          const ready = d.since !== null && atLeast(v.version, d.since)
          if (ready) migratable++
          add(
            'mediamtx.config.deprecated-keys',
            ready ? 'warn' : 'info',
            ready
              ? `${d.key} is deprecated; ${d.replacement} replaces it since ${d.since}${d.note ? ` (${d.note})` : ''}`
              : `${d.key} is deprecated in later releases (${d.replacement}, ${d.since}); keep it while this is ${v.value}`,
            ready && doc ? migrateCmd : null,
          )
        }
        const fix = doc ? migrateCmd : undefined
        const list = deprecated.map((d) => `${d.key} → ${d.replacement}`).join(', ')
        return migratable > 0
          ? {status: 'warn', evidence: list, ...(fix && {fix})}
          : {status: 'pass', evidence: `${list} (replacements need a newer MediaMTX)`}
      }),
    )

    checks.push(
      await runCheck('mediamtx.webrtc.enabled', 'WebRTC is on', async () => {
        if (view.webrtc.enabled) return {status: 'pass', evidence: `WebRTC/WHIP on ${view.webrtc.address}`}
        const fix = `Set ${configDoc.has('webrtcDisable') ? 'webrtcDisable: no' : 'webrtc: yes'} in ${configName}.`
        add('mediamtx.webrtc.enabled', 'error', 'WebRTC is off: WHIP publishing is refused', fix)
        return {status: 'fail', evidence: 'WebRTC is off', fix}
      }),
    )

    const interfaces = (options.interfaces ?? networkInterfaces)()
    candidates = predictCandidates(effectiveWebrtc(view.webrtc, configDoc, v.version), v.version, interfaces)
    checks.push(
      await runCheck('mediamtx.webrtc.candidates', 'Candidates a remote guest can reach', async () => {
        const apply = doc ? '--write' : '--apply'
        const remote = candidates.filter(
          (c) => c.scope === 'internet' || c.scope === 'tailnet' || c.scope === 'unknown',
        )
        const summary = candidates.map(describeCandidate).join(', ') || 'none'
        for (const c of candidates.filter((c) => c.category === 'hostname' && !atLeast(v.version, 'v1.14.0'))) {
          add(
            'mediamtx.webrtc.candidates',
            'warn',
            `${c.address} is a host name: before v1.14.0 it goes into the SDP as is, and Firefox and Safari cannot use it`,
            `${configureCmd} --add-host <its IP> ${apply}`,
          )
        }
        if (!doc)
          add(
            'mediamtx.webrtc.candidates',
            'info',
            "Interface addresses are this host's; they match only if MediaMTX runs here.",
            null,
          )
        if (candidates.length === 0) {
          const fix = `${configureCmd} --udp-address :8189 --tailscale ${apply}`
          add(
            'mediamtx.webrtc.candidates',
            'error',
            'MediaMTX will advertise no candidate at all: no guest can connect',
            fix,
          )
          return {status: 'fail', evidence: 'no candidates', fix}
        }
        if (remote.length === 0) {
          const fix = `${configureCmd} --tailscale ${apply}   (or --add-host <public IP>, or --cloudflare-turn)`
          add(
            'mediamtx.webrtc.candidates',
            'warn',
            'Only LAN and loopback addresses are advertised: a remote guest gets its WHIP 201, but media never flows',
            fix,
          )
          return {status: 'warn', evidence: summary, fix, data: {count: candidates.length}}
        }
        add(
          'mediamtx.webrtc.candidates',
          'info',
          `Remote guests can try: ${remote.map(describeCandidate).join(', ')}`,
          null,
        )
        return {status: 'pass', evidence: summary, data: {count: candidates.length}}
      }),
    )

    checks.push(
      await runCheck('mediamtx.webrtc.ice-servers', 'STUN/TURN servers', async () => {
        const servers = view.webrtc.iceServers
        if (servers.length === 0) {
          return {
            status: 'skip',
            evidence: 'none configured (TURN is the fallback when UDP/TCP candidates are unreachable)',
          }
        }
        let status: 'pass' | 'warn' = 'pass'
        const canClientOnly = atLeast(v.version, 'v1.7.0')
        for (const server of servers) {
          const turn = /^turns?:/.test(server.url)
          const who =
            server.clientOnly && canClientOnly
              ? 'given to clients only (clientOnly)'
              : 'used by MediaMTX and its clients'
          add('mediamtx.webrtc.ice-servers', 'info', `${turn ? 'TURN' : 'STUN'} ${server.url}: ${who}`, null)
          const expiry = /^(\d{9,11}):/.exec(server.username)
          if (turn && expiry) {
            const at = Number(expiry[1]) * 1000
            if (at <= now()) {
              status = 'warn'
              add(
                'mediamtx.webrtc.ice-servers',
                'warn',
                `The credentials of ${server.url} expired at ${new Date(at).toISOString()}`,
                doc
                  ? `r58 mediamtx turn-refresh --cloudflare-turn ${fileArg}`
                  : `r58 mediamtx turn-refresh --cloudflare-turn --mediamtx-api-url ${apiUrl}`,
              )
            }
          }
          if (turn && server.username === 'AUTH_SECRET') {
            add(
              'mediamtx.webrtc.ice-servers',
              'info',
              `${server.url}: MediaMTX mints REST credentials from the shared secret`,
              null,
            )
          }
        }
        const used = servers.filter((s) => !(s.clientOnly && canClientOnly)).length
        return {
          status,
          evidence: `${servers.length} server${servers.length === 1 ? '' : 's'} (${servers.length - used} clientOnly): ${servers.map((s) => s.url).join(', ')}`,
        }
      }),
    )

    if (doc && live) {
      const liveDoc = live
      checks.push(
        await runCheck('mediamtx.api.drift', 'Running config matches the file', async () => {
          const differs = configDoc
            .keys()
            .filter((key) => key.startsWith('webrtc') && key in liveDoc)
            .filter((key) => !sameLive(liveDoc[key], configDoc.value(key)))
          if (differs.length === 0) return {status: 'pass', evidence: 'the WebRTC keys of the file are live'}
          add(
            'mediamtx.api.drift',
            'warn',
            `The running MediaMTX differs from ${configName} in ${differs.join(', ')} (changed through the API, by MTX_* variables, or the file was not reloaded)`,
            null,
          )
          return {status: 'warn', evidence: `differs: ${differs.join(', ')}`}
        }),
      )
    }
  }

  checks.push(
    await runCheck('mediamtx.env.overrides', 'No MTX_* variables override the file', async () => {
      const overrides = envOverrides(options.env ?? {})
      if (overrides.length === 0) return {status: 'pass', evidence: 'none in this environment'}
      for (const o of overrides) {
        add(
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

  if (sessions !== null)
    add('mediamtx.api.reachable', 'info', `${sessions} WebRTC session(s) active; any WebRTC change drops them.`, null)
  const order = new Map(checks.map((c, i) => [c.id, i]))
  findings.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
  return {
    source: {file: options.file ?? null, api: apiUrl},
    version: versionInfo,
    candidates,
    findings,
    checks,
    ok: isOk(checks),
    exitCode: exitCodeOf(checks),
  }
}

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
