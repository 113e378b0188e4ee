/** `runCallsCheck` end to end against the emulator: each step and its exit class. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCallsCheck} from '../../../src/calls/calls-check.js'
import type {CallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {fetchCloudflareIceServers, revokeCloudflareTurnCredential} from '../../../src/turn/cloudflare-credentials.js'
import {restCredential} from '../../../src/turn/rest-credentials.js'
import {APP, startEmulator} from '../../support/calls.js'
import {isPull, startCallsFaultProxy} from '../../support/calls-faults.js'
import {closedPort} from '../../support/http-server.js'

let emulator: CallsEmulator

beforeAll(async () => {
  emulator = await startEmulator({
    turn: {
      keys: new Map([['turn-key', 'turn-token']]),
      stunUrls: ['stun:127.0.0.1:3478'],
      turnUrls: ['turn:127.0.0.1:3478?transport=udp'],
      sharedSecret: 'coturn-secret',
    },
  })
})
afterAll(() => emulator.close())

const ids = (report: {checks: {id: string; status: string}[]}) => report.checks.map((c) => `${c.id}:${c.status}`)
const EVERY_STEP_PASSES = ['calls.session.new', 'calls.push', 'calls.pull', 'calls.media', 'calls.close'].map(
  (id) => `${id}:pass`,
)

describe('calls check', () => {
  it('passes every step against a working app, with media figures', async () => {
    const report = await runCallsCheck({appId: APP.id, appSecret: APP.secret, apiBase: emulator.apiBase})
    expect(ids(report)).toEqual(EVERY_STEP_PASSES)
    expect(report).toMatchObject({ok: true, exitCode: 0})
    expect(report.media?.packets).toBeGreaterThanOrEqual(30)
    expect(report.media?.frames).toBeGreaterThan(0)
    expect(report.media?.latencyMsP50).not.toBeNull()
  })

  it('exits 5 when the secret is rejected, and skips the rest', async () => {
    const report = await runCallsCheck({appId: APP.id, appSecret: 'wrong', apiBase: emulator.apiBase})
    expect(ids(report)).toEqual([
      'calls.session.new:fail',
      'calls.push:skip',
      'calls.pull:skip',
      'calls.media:skip',
      'calls.close:skip',
    ])
    expect(report.checks[0]).toMatchObject({failure: 'auth'})
    expect(report.exitCode).toBe(5)
    expect(JSON.stringify(report)).not.toContain('wrong')
  })

  it('exits 5 for an unknown app id', async () => {
    const report = await runCallsCheck({appId: 'nope', appSecret: APP.secret, apiBase: emulator.apiBase})
    expect(report.exitCode).toBe(5)
  })

  it('exits 4 when the API is unreachable', async () => {
    const port = await closedPort()
    const report = await runCallsCheck({
      appId: APP.id,
      appSecret: APP.secret,
      apiBase: `http://127.0.0.1:${port}/v1`,
      retry: {attempts: 1},
    })
    expect(report.checks[0]).toMatchObject({status: 'fail', failure: 'unreachable'})
    expect(report.exitCode).toBe(4)
  })

  it('exits 3 when the media that arrives is not enough, and still closes the tracks', async () => {
    const report = await runCallsCheck({
      appId: APP.id,
      appSecret: APP.secret,
      apiBase: emulator.apiBase,
      timeoutMs: 1500,
      packets: 1_000_000,
    })
    expect(ids(report).slice(3)).toEqual(['calls.media:fail', 'calls.close:pass'])
    expect(report.checks[3]).toMatchObject({failure: 'failed'})
    expect(report.exitCode).toBe(3)
  })
})

describe("calls check survives the service's timing", () => {
  it('passes through a 429, a pull held 5 s and a subscriber session gone (410), and reports each', async () => {
    const proxy = await startCallsFaultProxy(emulator, [
      {name: '429 on the push', when: (r) => r.route === 'sessions/{id}/tracks/new' && !isPull(r), status429: true},
      {name: '410 on the first pull', when: isPull, expireSession: true},
      {name: 'the second pull held 5 s', when: isPull, delayMs: 5000},
    ])
    try {
      // A step deadline shorter than the service's 5 s block must not fail the held request.
      const report = await runCallsCheck({
        appId: APP.id,
        appSecret: APP.secret,
        apiBase: proxy.apiBase,
        timeoutMs: 3000,
      })
      expect(proxy.fired).toEqual(['429 on the push', '410 on the first pull', 'the second pull held 5 s'])
      expect(ids(report)).toEqual(EVERY_STEP_PASSES)
      const push = report.checks.find((c) => c.id === 'calls.push')
      expect(push?.evidence).toMatch(/HTTP 429, retried after \d+ ms/)
      const pull = report.checks.find((c) => c.id === 'calls.pull')
      expect(pull?.evidence).toMatch(/was gone \(HTTP 410\): pulled again with a new session/)
    } finally {
      await proxy.close()
    }
  })
})

describe('TURN credential API on the emulator', () => {
  it('mints credentials for the local TURN server and revokes them', async () => {
    const now = 1_800_000_000_000
    const minted = await fetchCloudflareIceServers({
      keyId: 'turn-key',
      token: 'turn-token',
      apiBase: emulator.apiBase,
      ttlSeconds: 600,
      now: () => now,
    })
    const turn = minted.iceServers.find((s) => s.username !== undefined)
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478?transport=udp'])
    const expected = restCredential(
      'coturn-secret',
      600,
      turn?.username?.split(':')[1] ?? '',
      Number(turn?.username?.split(':')[0]) * 1000 - 600_000,
    )
    expect(turn?.credential).toBe(expected.credential)
    const legacy = await fetchCloudflareIceServers({
      keyId: 'turn-key',
      token: 'turn-token',
      apiBase: emulator.apiBase,
      legacy: true,
    })
    expect(legacy.endpoint).toBe('generate')
    await revokeCloudflareTurnCredential({
      keyId: 'turn-key',
      token: 'turn-token',
      apiBase: emulator.apiBase,
      username: minted.username as string,
    })
  })
})
