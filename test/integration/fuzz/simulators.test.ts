/**
 * Fuzzing the two simulators' HTTP servers the way the relay suite fuzzes the relay (issue 12): odd header
 * shapes, methods and bodies at the Calls emulator (its JSON bodies and SDPs are fuzzed in
 * test/integration/sim/calls-sfu/fuzz.test.ts; this adds what a raw socket can send), and mutated offers, header
 * shapes and API requests at the MediaMTX stand-in. No crash, no 5xx for a client's error, no planted secret
 * in any answer or log, and sessions and file descriptors back to their baseline. Seeded: a failure replays.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type CallsEmulator, startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import type {LogEvent} from '../../../src/util/log.js'
import {createPublisher} from '../../support/calls.js'
import {headerShape, mutateSdp, odd, openFds, prng, type Rand, rawRequest, settles} from './fuzz-kit.js'

const APP_ID = 'fuzz-app'
const APP_SECRET = 'planted-emulator-secret-5e1c9a3f7b'
const PUBLISH_PASS = 'planted-publish-pass-8a2e6c0d4f'
const SECRETS = [APP_SECRET, PUBLISH_PASS]
const EMULATOR_REQUESTS = 400
const WHIP_REQUESTS = 300
const API_REQUESTS = 200

const rand = prng(0x51a7d)
const logs: LogEvent[] = []
let calls: CallsEmulator
let mediamtx: MediamtxStandin
let validOffer = ''
let baselineFds = 0
let sent = 0
/** Answers by simulator and status, to show the fuzz reached past the parsers and authentication. */
const tally = new Map<string, number>()

const leaked = (text: string) => SECRETS.find((secret) => text.includes(secret))

function check(status: number, what: string, answer: string, allow?: (status: number) => boolean): void {
  sent += 1
  const key = `${what.split(' ')[0]} ${status}`
  tally.set(key, (tally.get(key) ?? 0) + 1)
  if (!allow?.(status)) expect(status, `${what} → ${answer.slice(0, 300)}`).toBeLessThan(500)
  expect(leaked(answer), `${what} echoed a secret`).toBeUndefined()
}

/** A raw request with `shape` headers; Content-Length added unless the shape sets its own framing. */
function requestText(method: string, target: string, headers: string[], body: string): string {
  const framing = headers.some((h) => /^(content-length|transfer-encoding)/i.test(h))
  return `${[`${method} ${target} HTTP/1.1`, 'host: sim', 'connection: close', ...headers, ...(framing ? [] : [`content-length: ${Buffer.byteLength(body)}`])].join('\r\n')}\r\n\r\n${body}`
}

const basic = (user: string, pass: string) =>
  `authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

beforeAll(async () => {
  calls = await startCallsEmulator({
    apps: new Map([[APP_ID, APP_SECRET]]),
    unconnectedExpiryMs: 1000,
    connectWaitMs: 50,
    limits: {maxSessions: 10_000},
    log: (event) => logs.push(event),
  })
  mediamtx = await startMediamtxStandin({
    configText: [
      'webrtcLocalUDPAddress: :8189',
      'webrtcHandshakeTimeout: 1s',
      'authInternalUsers:',
      '  - user: publisher',
      `    pass: ${PUBLISH_PASS}`,
      '    permissions:',
      '      - action: publish',
      '  - user: any',
      '    permissions:',
      '      - action: read',
      '      - action: api',
      'paths:',
      '  all_others:',
      '',
    ].join('\n'),
    whipPort: 0,
    apiPort: 0,
    interfaces: [{name: 'lo', address: '127.0.0.1'}],
    log: (event) => logs.push(event),
  })
  const publisher = createPublisher(['opus', 'vp8'])
  validOffer = (await publisher.offer()).sdp
  await publisher.stop()
  baselineFds = openFds()
})

afterAll(async () => {
  await mediamtx?.close()
  await calls?.close()
})

const emulatorTarget = (r: Rand) =>
  r.pick([
    `/v1/apps/${APP_ID}/sessions/new`,
    `/v1/apps/${APP_ID}/sessions/0123456789abcdef0123456789abcdef/tracks/new`,
    `/v1/apps/${APP_ID}/sessions/%zz/renegotiate`,
    `/v1/apps/${APP_ID}/adapters/websocket/new`,
    `/v1/apps/${APP_SECRET}/sessions/new`,
    `/v1/apps/${APP_ID}/sessions/new?secret=${APP_SECRET}`,
    '/v1/turn/keys/x/credentials/generate',
    `/v1/apps/${'a'.repeat(4000)}`,
    '*',
    'http://evil.example/v1',
    '/',
  ])

describe('fuzzing the Calls emulator with raw requests', () => {
  it(`answers ${EMULATOR_REQUESTS} odd header shapes, methods and bodies without a 5xx or an echoed secret`, {
    timeout: 120_000,
  }, async () => {
    for (let i = 0; i < EMULATOR_REQUESTS; i++) {
      const method = rand.pick(['POST', 'PUT', 'GET', 'DELETE', 'PATCH', 'OPTIONS', 'BREW'])
      const body = rand.pick([
        odd(rand),
        JSON.stringify({sessionDescription: {type: 'offer', sdp: mutateSdp(rand, validOffer)}}),
        JSON.stringify({tracks: [{location: 'local', trackName: APP_SECRET, mid: '0'}]}),
      ])
      const headers = [
        ...(rand.next() < 0.8 ? [`authorization: Bearer ${rand.pick([APP_SECRET, `${APP_SECRET}x`, 'nope'])}`] : []),
        ...(rand.next() < 0.7 ? ['content-type: application/json'] : []),
        ...headerShape(rand, [APP_SECRET, 'wrong-secret']),
      ]
      const target = emulatorTarget(rand)
      const reply = await rawRequest(calls.port, requestText(method, target, headers, body))
      // The one documented 5xx: an adapter it cannot open (503, websocket_handshake_failed).
      const adapter = (status: number) => status === 503 && reply.text.includes('websocket_handshake_failed')
      check(
        reply.status,
        `emulator #${i}: ${method} ${target} ${headers.join(' | ').slice(0, 200)}`,
        reply.text,
        adapter,
      )
    }
  })
})

describe('fuzzing the MediaMTX stand-in', () => {
  it(`answers ${WHIP_REQUESTS} mutated offers and header shapes at its WHIP listener`, {timeout: 120_000}, async () => {
    const port = Number(new URL(mediamtx.whipUrl).port)
    for (let i = 0; i < WHIP_REQUESTS; i++) {
      const path = rand.pick(['cam', `guest-${i}`, 'a/b', '%zz', '..%2f..', 'x'.repeat(300)])
      const publish = rand.next() < 0.6
      const target = publish
        ? `/${path}/whip`
        : rand.pick([`/${path}/whip/0123456789abcdef`, `/${path}/`, `/${path}`, '/'])
      const method = publish ? 'POST' : rand.pick(['POST', 'PATCH', 'DELETE', 'OPTIONS', 'GET', 'PUT'])
      const body = rand.next() < 0.5 ? mutateSdp(rand, validOffer) : rand.next() < 0.6 ? validOffer : odd(rand)
      const headers = [
        ...(rand.next() < 0.85
          ? [
              `content-type: ${rand.pick(['application/sdp', 'application/sdp', 'application/trickle-ice-sdpfrag', 'text/plain'])}`,
            ]
          : []),
        ...(rand.next() < 0.8
          ? [
              rand.pick([
                basic('publisher', PUBLISH_PASS),
                basic('publisher', PUBLISH_PASS),
                basic('publisher', 'wrong'),
                `authorization: Bearer publisher:${PUBLISH_PASS}`,
              ]),
            ]
          : []),
        ...(rand.next() < 0.3 ? headerShape(rand, [PUBLISH_PASS]) : []),
      ]
      const reply = await rawRequest(port, requestText(method, target, headers, body))
      check(reply.status, `WHIP #${i}: ${method} ${target} ${headers.join(' | ').slice(0, 200)}`, reply.text)
    }
  })

  it(`answers ${API_REQUESTS} odd control API requests`, {timeout: 60_000}, async () => {
    const port = Number(new URL(mediamtx.apiUrl ?? '').port)
    const patchKeys = [
      'logLevel',
      'readTimeout',
      'webrtcTrackGatherTimeout',
      'nope',
      'paths',
      'authInternalUsers',
      'rtsp',
      'constructor',
      '__proto__',
      'toString',
    ]
    for (let i = 0; i < API_REQUESTS; i++) {
      const target = rand.pick([
        '/v3/info',
        '/v3/config/global/get',
        '/v3/config/global/patch',
        `/v3/paths/list?itemsPerPage=${rand.pick(['-1', 'x', '1e9', '0'])}&page=${rand.pick(['-5', 'y', '99999'])}`,
        `/v3/paths/get/${rand.pick(['cam', 'nope', 'a'.repeat(2000), '%zz', 'a%'])}`,
        '/v3/webrtcsessions/list',
        `/v3/webrtcsessions/${rand.pick(['get', 'kick'])}/${rand.pick(['nope', '0', 'x'.repeat(300), '%zz'])}`,
        '/v4/anything',
      ])
      const method = target.endsWith('/patch')
        ? rand.pick(['PATCH', 'PATCH', 'GET'])
        : target.includes('/kick/')
          ? 'POST'
          : rand.pick(['GET', 'GET', 'GET', 'POST', 'DELETE'])
      const patch: Record<string, unknown> = {}
      for (let k = rand.int(3); k > 0; k--)
        patch[rand.pick(patchKeys)] = rand.pick([1, 'x', null, [], {}, true, '10s', 'debug'])
      const body = rand.next() < 0.6 ? JSON.stringify(patch) : odd(rand)
      const headers = [
        ...(rand.next() < 0.7 ? ['content-type: application/json'] : []),
        ...(rand.next() < 0.3 ? headerShape(rand, [PUBLISH_PASS]) : []),
      ]
      const reply = await rawRequest(port, requestText(method, target, headers, body))
      check(reply.status, `API #${i}: ${method} ${target} ${body.slice(0, 200)}`, reply.text)
    }
  })

  it('both come back to their baseline: no stand-in session, no extra descriptor, no secret in any log', {
    timeout: 60_000,
  }, async () => {
    expect(sent).toBeGreaterThanOrEqual(EMULATOR_REQUESTS + WHIP_REQUESTS + API_REQUESTS)
    // The fuzz reached past the parsers and authentication: publishes, API answers and validation errors.
    const seen = JSON.stringify([...tally].sort())
    expect(tally.get('WHIP 201') ?? 0, seen).toBeGreaterThan(10)
    expect(tally.get('WHIP 400') ?? 0, seen).toBeGreaterThan(10)
    expect(tally.get('API 200') ?? 0, seen).toBeGreaterThan(40)
    expect(tally.get('API 400') ?? 0, seen).toBeGreaterThan(10)
    expect(tally.get('emulator 400') ?? 0, seen).toBeGreaterThan(100)
    expect(
      await settles(() => mediamtx.sessions().length === 0, 15_000),
      `${mediamtx.sessions().length} sessions`,
    ).toBe(true)
    expect(
      await settles(() => openFds() <= baselineFds, 15_000),
      `${openFds()} descriptors open, ${baselineFds} before`,
    ).toBe(true)
    expect(leaked(JSON.stringify(logs)), 'a planted secret in the logs').toBeUndefined()
  })
})
