/** `mediamtx turn-refresh` with the TURN credential API emulator and the MediaMTX API stand-in, on loopback. */
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parseConfigDoc} from '../../../src/mediamtx/config-doc.js'
import {refreshTurn, runTurnRefreshLoop, type TurnRefreshOptions} from '../../../src/mediamtx/turn-refresh.js'
import type {LogEvent} from '../../../src/util/log.js'
import {fixture} from '../../support/mediamtx.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../support/mediamtx-api.js'
import {startTurnApi, type TurnApiStandin} from '../../support/turn-api.js'

const V120 = fixture('v1.20.1.yml')
const TOKEN = 'turn-token-for-tests'
const TURN_UDP = 'turn:127.0.0.1:3478?transport=udp'

let turnApi: TurnApiStandin
let standin: MediamtxStandin | undefined
beforeEach(async () => {
  turnApi = await startTurnApi({'key-1': TOKEN})
})
afterEach(async () => {
  await turnApi.close()
  await standin?.close()
  standin = undefined
})

function setup(text = V120): {dir: string; file: string; options: TurnRefreshOptions} {
  const dir = mkdtempSync(join(tmpdir(), 'r58-refresh-'))
  const file = join(dir, 'mediamtx.yml')
  writeFileSync(file, text)
  return {dir, file, options: {file, turn: {keyId: 'key-1', token: TOKEN, apiBase: turnApi.apiBase, ttlSeconds: 3600}}}
}

const iceServersOf = (file: string) =>
  parseConfigDoc(readFileSync(file, 'utf8'), file).value('webrtcICEServers2') as Record<string, unknown>[]

describe('turn-refresh on a file', () => {
  it('writes fresh credentials, remembers the expiry next to the file, and replaces them on the next run', async () => {
    const {dir, file, options} = setup()
    const first = await refreshTurn(options)
    expect(first).toMatchObject({
      action: 'refreshed',
      target: 'file',
      written: true,
      sessions: null,
      stateFile: join(dir, '.mediamtx.yml.r58-turn.json'),
    })
    expect(first.urls).toEqual(['stun:127.0.0.1:3478', TURN_UDP, 'turn:127.0.0.1:3478?transport=tcp'])
    const servers = iceServersOf(file)
    expect(servers.map((s) => s['url'])).toEqual(first.urls)
    expect(servers[1]).toMatchObject({username: first.username, password: 'emulated-1'})
    const state = JSON.parse(readFileSync(first.stateFile as string, 'utf8'))
    expect(state).toMatchObject({version: 1, expiresAt: first.expiresAt, username: first.username, urls: first.urls})

    const second = await refreshTurn(options)
    expect(second).toMatchObject({action: 'refreshed', previousExpiresAt: first.expiresAt})
    expect(iceServersOf(file)).toHaveLength(3)
    expect(iceServersOf(file)[1]).toMatchObject({password: 'emulated-2'})
    expect(existsSync(`${file}.bak`)).toBe(false)
  })

  it('warns when the file it wrote TURN passwords into is readable by other users, and not when it is 0600', async () => {
    const {file, options} = setup()
    chmodSync(file, 0o644)
    const readable = await refreshTurn(options)
    expect(readable.notes.join('\n')).toMatch(
      /Warning: .*holds a TURN password and is readable by other users \(mode 0644\).* Fix: sudo chmod 600 /,
    )
    chmodSync(file, 0o600)
    const restricted = await refreshTurn(options)
    expect(restricted.notes.join('\n')).not.toMatch(/TURN password/)
  })

  it('drops URLs an earlier refresh wrote that the TURN API no longer returns', async () => {
    const {dir, file, options} = setup()
    await refreshTurn(options)
    const stateFile = join(dir, '.mediamtx.yml.r58-turn.json')
    const state = JSON.parse(readFileSync(stateFile, 'utf8'))
    writeFileSync(stateFile, JSON.stringify({...state, urls: [...state.urls, 'turns:127.0.0.1:5349?transport=tcp']}))
    const text = readFileSync(file, 'utf8').replace(
      '# Maximum time to gather STUN candidates.',
      "  - url: turns:127.0.0.1:5349?transport=tcp\n    username: 'old'\n    password: 'old'\n# Maximum time to gather STUN candidates.",
    )
    writeFileSync(file, text)
    const result = await refreshTurn(options)
    expect(result.removedUrls).toEqual(['turns:127.0.0.1:5349?transport=tcp'])
    expect(iceServersOf(file).map((s) => s['url'])).toEqual(result.urls)
  })

  it('marks the entries clientOnly when asked, and refuses that before v1.7.0', async () => {
    const {file, options} = setup()
    await refreshTurn({...options, clientOnly: true})
    expect(iceServersOf(file).every((s) => s['clientOnly'] === true)).toBe(true)
    const old = setup(fixture('v1.6.0.yml'))
    await expect(refreshTurn({...old.options, clientOnly: true})).rejects.toMatchObject({exitCode: 6})
  })

  it('reports rejected TURN keys as exit 5 and leaves the file alone', async () => {
    const {file, options} = setup()
    await expect(refreshTurn({...options, turn: {...options.turn, token: 'wrong'}})).rejects.toMatchObject({
      exitCode: 5,
    })
    expect(readFileSync(file, 'utf8')).toBe(V120)
  })
})

describe('turn-refresh and active WebRTC sessions', () => {
  it('defers while sessions are active and the credentials are far from expiring, then refreshes near expiry', async () => {
    standin = await startMediamtxStandin('v1.20.1', parseConfigDoc(V120, 'f').raw(), {sessions: 2})
    const {file, options} = setup()
    const withApi = {...options, api: {baseUrl: standin.url}}
    const forced = await refreshTurn({...withApi, force: true})
    expect(forced).toMatchObject({action: 'refreshed', sessions: 2})
    const issued = turnApi.emulator.issued.size

    const now = Date.parse(forced.expiresAt as string) - 40 * 60_000 // 40 min left of 60
    const deferred = await refreshTurn({...withApi, now: () => now})
    expect(deferred).toMatchObject({action: 'deferred', sessions: 2, written: false})
    expect(deferred.reason).toMatch(/2 WebRTC sessions active; the credentials stay valid 40 min more/)
    expect(turnApi.emulator.issued.size).toBe(issued)

    const urgent = await refreshTurn({...withApi, now: () => Date.parse(forced.expiresAt as string) - 10 * 60_000})
    expect(urgent).toMatchObject({action: 'refreshed'})
    expect(urgent.notes.join()).toContain('despite 2 active session')
    expect(iceServersOf(file)).toHaveLength(3)
  })

  it('defers when the expiry is unknown and sessions are active', async () => {
    standin = await startMediamtxStandin('v1.20.1', parseConfigDoc(V120, 'f').raw(), {sessions: 1})
    const {options} = setup()
    const result = await refreshTurn({...options, api: {baseUrl: standin.url}})
    expect(result).toMatchObject({action: 'deferred', previousExpiresAt: null})
    expect(result.reason).toContain('expiry is unknown')
  })

  it('reads the expiry from REST user names (<unix expiry>:user) without a state file', async () => {
    standin = await startMediamtxStandin('v1.20.1', parseConfigDoc(V120, 'f').raw(), {sessions: 1})
    const expiry = Math.floor(Date.now() / 1000) + 3 * 3600
    const text = V120.replace(
      'webrtcICEServers2: []',
      `webrtcICEServers2:\n  - url: ${TURN_UDP}\n    username: '${expiry}:r58'\n    password: 'x'`,
    )
    const {options} = setup(text)
    const result = await refreshTurn({...options, api: {baseUrl: standin.url}, marginMs: 3600_000})
    expect(result).toMatchObject({action: 'deferred', previousExpiresAt: new Date(expiry * 1000).toISOString()})
  })
})

describe('turn-refresh on the running server', () => {
  it('PATCHes webrtcICEServers2 when no session is active', async () => {
    standin = await startMediamtxStandin('v1.20.1', parseConfigDoc(V120, 'f').raw())
    const dir = mkdtempSync(join(tmpdir(), 'r58-refresh-api-'))
    const result = await refreshTurn({
      api: {baseUrl: standin.url},
      turn: {keyId: 'key-1', token: TOKEN, apiBase: turnApi.apiBase, ttlSeconds: 3600},
      stateFile: join(dir, 'state.json'),
    })
    expect(result).toMatchObject({action: 'refreshed', target: 'api', applied: true, written: false, sessions: 0})
    expect(standin.patches).toHaveLength(1)
    expect(Object.keys(standin.patches[0] ?? {})).toEqual(['webrtcICEServers2'])
    expect(existsSync(join(dir, 'state.json'))).toBe(true)
  })
})

describe('turn-refresh --every', () => {
  it('loops until stopped, one event per attempt', async () => {
    const {options} = setup()
    const events: LogEvent[] = []
    const abort = new AbortController()
    let sleeps = 0
    await runTurnRefreshLoop({
      ...options,
      everyMs: 12 * 3600_000,
      signal: abort.signal,
      log: (event) => events.push(event),
      sleep: async (ms) => {
        expect(ms).toBe(12 * 3600_000)
        if (++sleeps === 2) abort.abort()
      },
    })
    expect(events.map((e) => e.event)).toEqual([
      'turn-refresh.started',
      'turn-refresh.refreshed',
      'turn-refresh.next',
      'turn-refresh.refreshed',
      'turn-refresh.next',
      'turn-refresh.stopped',
    ])
  })

  it('logs failures and retries sooner', async () => {
    const {options} = setup()
    const events: LogEvent[] = []
    const abort = new AbortController()
    await runTurnRefreshLoop({
      ...options,
      turn: {...options.turn, token: 'wrong'},
      everyMs: 12 * 3600_000,
      retryMs: 60_000,
      signal: abort.signal,
      log: (event) => events.push(event),
      sleep: async (ms) => {
        expect(ms).toBe(60_000)
        abort.abort()
      },
    })
    expect(events.find((e) => e.event === 'turn-refresh.failed')).toMatchObject({level: 'error', code: 'E_AUTH'})
  })
})
