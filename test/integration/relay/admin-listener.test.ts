/**
 * Issue 12 item 2: operator endpoints live on their own listener (loopback or a Unix socket), never on the
 * guest listener, whatever headers a tunnel adds or leaves out; /healthz and /metrics are public only when
 * the operator opts in, and metrics carry no session ids, paths or tokens.
 */
import {mkdtempSync} from 'node:fs'
import {stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {requestRelayPull} from '../../../src/relay/pull-client.js'
import {type RelayOptions, type RunningRelay, startRelay} from '../../../src/relay/relay-server.js'
import {relayStatus} from '../../../src/relay/status.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {APP, clientFor, createPublisher, pushConnected, startEmulator} from '../../support/calls.js'
import {closedPort} from '../../support/http-server.js'
import {send} from './recording-engine.js'

const TOKEN = 'operator-test-token-0123456789'
let relay: RunningRelay | undefined

async function start(options: Partial<RelayOptions> = {}): Promise<RunningRelay> {
  relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: 'app-1', appSecret: 'calls-secret-0123456789', apiBase: `http://127.0.0.1:${await closedPort()}/v1`},
    tokens: parseTokensFile(`* ${TOKEN}\n`, 'tokens'),
    stunUrls: [],
    ratePerSecond: 1000,
    log: () => {},
    ...options,
  })
  return relay
}
afterEach(async () => {
  await relay?.close()
  relay = undefined
})

describe('the operator listener', () => {
  it('serves nothing operational on the guest listener, with or without forwarding headers or a token', async () => {
    const {url} = await start()
    for (const headers of [{}, {'x-forwarded-for': '127.0.0.1'}, {authorization: `Bearer ${TOKEN}`}]) {
      expect((await send(`${url}/status`, 'GET', headers)).status).toBe(404)
      expect((await send(`${url}/metrics`, 'GET', headers)).status).toBe(404)
      expect((await send(`${url}/healthz`, 'GET', headers)).status).toBe(404)
      const pull = await send(
        `${url}/relay/pull`,
        'POST',
        {...headers, 'content-type': 'application/json'},
        JSON.stringify({sessionId: 'feedc0de', trackNames: ['cam'], path: 'p'}),
      )
      expect(pull.status).toBe(404)
    }
    expect(relay?.engine.list()).toEqual([])
  })

  it('serves status, health and metrics on the admin listener, without CORS', async () => {
    const {adminUrl} = await start()
    const status = await send(`${adminUrl}/status`, 'GET', {origin: 'https://evil.example'})
    expect(status.status).toBe(200)
    expect(JSON.parse(status.body)).toMatchObject({sessions: []})
    expect(status.headers['access-control-allow-origin']).toBeUndefined()
    expect((await send(`${adminUrl}/healthz`, 'GET')).status).toBe(200)
    expect((await send(`${adminUrl}/metrics`, 'GET')).body).toContain('r58_relay_http_requests_total')
    expect(await relayStatus({url: adminUrl})).toMatchObject({healthy: true, sessions: []})
  })

  it('answers status and pull over a Unix socket (mode 0600)', async () => {
    const calls = await startEmulator()
    const publisher = createPublisher(['vp8'])
    try {
      const sessionId = await pushConnected(clientFor(calls), publisher)
      const socketPath = join(mkdtempSync(join(tmpdir(), 'r58-admin-')), 'admin.sock')
      const running = await start({
        admin: {socketPath},
        calls: {appId: APP.id, appSecret: APP.secret, apiBase: calls.apiBase},
      })
      expect(running.adminUrl).toBe(`unix:${socketPath}`)
      expect((await stat(socketPath)).mode & 0o777).toBe(0o600)
      expect(await relayStatus({url: running.adminUrl})).toMatchObject({healthy: true, sessions: []})
      const pulled = await requestRelayPull({url: running.adminUrl, sessionId, trackNames: ['cam'], path: 'p'})
      expect(pulled.id).toEqual(expect.any(String))
    } finally {
      await relay?.close()
      relay = undefined
      await publisher.stop()
      await calls.close()
    }
  })

  // Issue 15: a pull of what Calls does not publish is refused at once, with what Calls has; nothing is started.
  it.each([
    ['a session Calls does not have', 'feedc0de', 'cam', /HTTP 404: Calls has no session feedc0de/],
    [
      'a track the session does not publish',
      undefined,
      'mic',
      /HTTP 404: .*publishes no track named "mic" \(it publishes "cam"\)/,
    ],
  ])('refuses a pull of %s', async (_what, session, track, message) => {
    const calls = await startEmulator()
    const publisher = createPublisher(['vp8'])
    try {
      const published = await pushConnected(clientFor(calls), publisher)
      const running = await start({calls: {appId: APP.id, appSecret: APP.secret, apiBase: calls.apiBase}})
      await expect(
        requestRelayPull({url: running.adminUrl, sessionId: session ?? published, trackNames: [track], path: 'p'}),
      ).rejects.toThrow(message)
      expect(running.engine.list()).toEqual([])
    } finally {
      await relay?.close()
      relay = undefined
      await publisher.stop()
      await calls.close()
    }
  })

  it('with --public-metrics, also serves /healthz and /metrics to guests, with no ids, paths or tokens', async () => {
    const {url} = await start({publicMetrics: true})
    expect(JSON.parse((await send(`${url}/healthz`, 'GET')).body)).toEqual({status: 'ok'})
    const metrics = await send(`${url}/metrics`, 'GET', {origin: 'https://studio.example'})
    expect(metrics.status).toBe(200)
    expect(metrics.body).not.toMatch(/session=|path=/)
    expect((await send(`${url}/status`, 'GET')).status).toBe(404)
  })

  it('refuses an admin listener on a non-loopback address', async () => {
    await expect(start({admin: {host: '0.0.0.0', port: 0}})).rejects.toThrow(/admin/)
  })
})
