/**
 * Fuzzing the relay as a hostile client would (issue 12): mutated offers, junk bodies and odd header shapes
 * thrown at the guest listener, and junk at the operator listener, with the real engine behind them (Calls
 * emulator, MediaMTX stand-in). Every answer is an answer (never a crash), a client's error is never a 5xx,
 * no planted secret comes back in any answer or log line, and afterwards sessions and file descriptors are
 * back to their baseline. Seeded: a failure replays.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type RunningRelay, startRelay} from '../../../src/relay/relay-server.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {type CallsEmulator, startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import type {MediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import type {LogEvent} from '../../../src/util/log.js'
import {createPublisher} from '../../support/calls.js'
import {startLoopbackStandin} from '../../support/stack.js'
import {send} from '../relay/recording-engine.js'
import {headerShape, mutateSdp, odd, openFds, prng, rawRequest, settles} from './fuzz-kit.js'

const APP_ID = 'fuzz-app'
const APP_SECRET = 'planted-calls-secret-7f3a9c1e5b'
const GLOBAL_TOKEN = 'planted-global-token-4d8e2a6c0f'
const PATH_TOKEN = 'planted-path-token-9b1f5d3a7e'
const MEDIAMTX_TOKEN = 'planted-mediamtx-token-2c6e0a4f8d'
const SECRETS = [APP_SECRET, GLOBAL_TOKEN, PATH_TOKEN, MEDIAMTX_TOKEN]
const OFFERS = 600
const RAW_REQUESTS = 600
const ADMIN_REQUESTS = 100

const rand = prng(0x12f022)
const logs: LogEvent[] = []
const statuses = new Map<number, number>()
let calls: CallsEmulator
let mediamtx: MediamtxStandin
let relay: RunningRelay
let validOffer = ''
let baselineFds = 0

function leaked(text: string): string | undefined {
  return SECRETS.find((secret) => text.includes(secret))
}

function record(status: number, what: string, answer: string): void {
  statuses.set(status, (statuses.get(status) ?? 0) + 1)
  expect(status, `${what} → ${answer.slice(0, 300)}`).toBeLessThan(500)
  expect(leaked(answer), `${what} echoed a secret`).toBeUndefined()
}

const auth = () =>
  rand.pick<Record<string, string>>([
    {authorization: `Bearer ${GLOBAL_TOKEN}`},
    {authorization: `Bearer ${GLOBAL_TOKEN}`},
    {authorization: `Bearer ${GLOBAL_TOKEN}`},
    {authorization: `Bearer ${PATH_TOKEN}`},
    {authorization: `Bearer ${GLOBAL_TOKEN.slice(0, -1)}x`},
    {},
  ])

beforeAll(async () => {
  calls = await startCallsEmulator({
    apps: new Map([[APP_ID, APP_SECRET]]),
    unconnectedExpiryMs: 1000,
    connectWaitMs: 50,
    limits: {maxSessions: 10_000},
    log: (event) => logs.push(event),
  })
  mediamtx = await startLoopbackStandin()
  relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: APP_ID, appSecret: APP_SECRET, apiBase: calls.apiBase},
    target: `${mediamtx.whipUrl}/{path}/whip`,
    targetToken: MEDIAMTX_TOKEN,
    tokens: parseTokensFile(`* ${GLOBAL_TOKEN}\ncam ${PATH_TOKEN}\n`, 'fuzz'),
    stunUrls: [],
    maxSessions: 40,
    ratePerSecond: 100_000,
    timings: {publisherWaitMs: 200, firstMediaMs: 500, repullMediaMs: 300, connectMs: 2000},
    log: (event) => logs.push(event),
  })
  const publisher = createPublisher(['opus', 'vp8'])
  validOffer = (await publisher.offer()).sdp
  await publisher.stop()
  // Baseline after one full publish and delete, so lazily opened pools count as part of it.
  const warm = await send(
    `${relay.url}/whip/warm-up`,
    'POST',
    {...sdp(), authorization: `Bearer ${GLOBAL_TOKEN}`},
    validOffer,
  )
  expect(warm.status).toBe(201)
  await send(`${relay.url}${warm.headers['location']}`, 'DELETE', {authorization: `Bearer ${GLOBAL_TOKEN}`})
  await settles(() => relay.engine.list().length === 0, 10_000)
  baselineFds = openFds()
})

afterAll(async () => {
  await relay?.close()
  await mediamtx?.close()
  await calls?.close()
})

function sdp(): Record<string, string> {
  return {'content-type': 'application/sdp'}
}

describe('fuzzing the relay', () => {
  it(`answers ${OFFERS} mutated offers with 4xx or 201, never 5xx`, {timeout: 180_000}, async () => {
    for (let i = 0; i < OFFERS; i++) {
      const offer = rand.next() < 0.85 ? mutateSdp(rand, validOffer) : validOffer
      const path = rand.pick([`guest-${i}`, 'cam', 'cam/sub', `guest-${i}/x`])
      const query = rand.next() < 0.2 ? `?token=${rand.pick([PATH_TOKEN, GLOBAL_TOKEN, 'nope'])}` : ''
      const reply = await send(`${relay.url}/whip/${path}${query}`, 'POST', {...sdp(), ...auth()}, offer)
      record(reply.status, `offer #${i} to ${path}`, `${JSON.stringify(reply.headers)}${reply.body}`)
      if (reply.status === 201 && rand.next() < 0.5) {
        const bearer = query ? {} : auth()
        const gone = await send(`${relay.url}${reply.headers['location']}${query}`, 'DELETE', bearer)
        record(gone.status, `DELETE after offer #${i}`, gone.body)
      }
    }
    // The mutations reached the local checks, and some valid offers got through to Calls.
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(50)
    expect(statuses.get(201) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(20)
  })

  it(`answers ${RAW_REQUESTS} raw requests of odd methods, targets, headers and bodies`, {
    timeout: 120_000,
  }, async () => {
    const targets = [
      '/whip/cam',
      '/whip/cam/session/AAAAAAAAAAAAAAAAAAAAAA',
      `/whip/cam?token=${PATH_TOKEN}`,
      '/whip/',
      '/whip/%zz',
      '/whip/..%2f..%2fetc',
      `/whip/${'a'.repeat(3000)}`,
      '/join/cam',
      '/join/%3Cscript%3E',
      '/status',
      '/metrics',
      '/relay/pull',
      '*',
      'http://evil.example/whip/cam',
      '//whip//cam',
      '/',
    ]
    for (let i = 0; i < RAW_REQUESTS; i++) {
      const method = rand.pick(['POST', 'POST', 'GET', 'PATCH', 'DELETE', 'OPTIONS', 'PUT', 'BREW', 'CONNECT'])
      const body = rand.next() < 0.5 ? mutateSdp(rand, validOffer) : odd(rand)
      const shape = headerShape(rand, [GLOBAL_TOKEN, PATH_TOKEN, 'wrong-token-0123456789'])
      const lines = [
        `${method} ${rand.pick(targets)} HTTP/1.1`,
        'host: relay',
        'connection: close',
        ...(rand.next() < 0.7
          ? [`content-type: ${rand.pick(['application/sdp', 'application/json', 'text/plain'])}`]
          : []),
        ...shape,
        ...(shape.some((h) => /^(content-length|transfer-encoding)/i.test(h))
          ? []
          : [`content-length: ${Buffer.byteLength(body)}`]),
      ]
      const request = `${lines.join('\r\n')}\r\n\r\n${body}`
      const reply = await rawRequest(relay.port, request)
      record(reply.status, `raw #${i}: ${lines.join(' | ').slice(0, 300)}`, reply.text)
    }
  })

  it(`answers ${ADMIN_REQUESTS} junk operator requests with 4xx or 201`, {timeout: 60_000}, async () => {
    for (let i = 0; i < ADMIN_REQUESTS; i++) {
      const body = rand.pick([
        odd(rand),
        JSON.stringify({
          sessionId: rand.pick(['x', '', 'a'.repeat(200), 1]),
          trackNames: rand.pick([[], ['a'], 'a', [1]]),
          path: rand.pick(['p', '../x', '', 7]),
        }),
      ])
      const reply = await send(
        `${relay.adminUrl}${rand.pick(['/relay/pull', '/status', '/metrics', '/healthz', '/nope'])}`,
        rand.pick(['POST', 'GET', 'DELETE']),
        {'content-type': rand.pick(['application/json', 'text/plain'])},
        body,
      )
      record(reply.status, `admin #${i}`, reply.body)
    }
  })

  it('still serves a guest, and comes back to its baseline: no session, no extra descriptor, no secret in any log', {
    timeout: 60_000,
  }, async () => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThanOrEqual(OFFERS + RAW_REQUESTS + ADMIN_REQUESTS)
    const reply = await send(
      `${relay.url}/whip/after-fuzz`,
      'POST',
      {...sdp(), authorization: `Bearer ${GLOBAL_TOKEN}`},
      validOffer,
    )
    expect(reply.status).toBe(201)
    expect(
      (await send(`${relay.url}${reply.headers['location']}`, 'DELETE', {authorization: `Bearer ${GLOBAL_TOKEN}`}))
        .status,
    ).toBe(200)
    expect(await settles(() => relay.engine.list().length === 0, 30_000), JSON.stringify(relay.engine.list())).toBe(
      true,
    )
    expect(await settles(() => mediamtx.sessions().length === 0, 10_000)).toBe(true)
    expect(
      await settles(() => openFds() <= baselineFds, 15_000),
      `${openFds()} descriptors open, ${baselineFds} before`,
    ).toBe(true)
    const logText = JSON.stringify(logs)
    expect(leaked(logText), 'a planted secret in the logs').toBeUndefined()
    expect(logText).not.toContain('token=')
  })
})
