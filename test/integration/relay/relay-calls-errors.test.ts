/** The relay against a Calls API that fails transiently: 5xx and 429 are retried, and the guest still gets in. */

import {request} from 'undici'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {createSyntheticSource} from '../../../src/media/synthetic.js'
import {type RunningRelay, startRelay} from '../../../src/relay/relay-server.js'
import {parseTokensFile} from '../../../src/relay/tokens.js'
import {type CallsEmulator, startCallsEmulator} from '../../../src/sim/calls-sfu/sfu-server.js'
import type {MediamtxStandin} from '../../../src/sim/mediamtx/standin-server.js'
import {type LoopbackServer, startHttpServer} from '../../support/http-server.js'
import {eventually, loopbackPeer} from '../../support/peers.js'
import {startLoopbackStandin} from '../../support/stack.js'

const TOKEN = 'guest-token-0123456789abcdef'
let calls: CallsEmulator
let flaky: LoopbackServer
let mediamtx: MediamtxStandin
let relay: RunningRelay
const injected: string[] = []

beforeAll(async () => {
  calls = await startCallsEmulator({apps: new Map([['app-1', 'calls-secret-0123456789']])})
  // Every first request of each kind fails: 503 for tracks/new and renegotiate, 429 for sessions/new.
  const seen = new Set<string>()
  flaky = await startHttpServer(async (req, res) => {
    const kind = (req.url ?? '').replace(/\/sessions\/[0-9a-f]+/, '/sessions/:id')
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (!seen.has(kind)) {
      seen.add(kind)
      const status = kind.endsWith('/sessions/new') ? 429 : 503
      injected.push(`${status} ${req.method} ${kind}`)
      res
        .writeHead(status, {'content-type': 'application/json', 'retry-after': '0'})
        .end('{"errorCode":"temporarily_unavailable_error"}')
      return
    }
    const upstream = await request(`${calls.url}${req.url}`, {
      method: req.method as 'GET',
      headers: {authorization: req.headers.authorization ?? '', 'content-type': 'application/json'},
      ...(chunks.length > 0 && {body: Buffer.concat(chunks)}),
    })
    res.writeHead(upstream.statusCode, {'content-type': 'application/json'}).end(await upstream.body.text())
  })
  mediamtx = await startLoopbackStandin()
  relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    calls: {appId: 'app-1', appSecret: 'calls-secret-0123456789', apiBase: `${flaky.url}/v1`},
    target: `${mediamtx.whipUrl}/{path}/whip`,
    tokens: parseTokensFile(`* ${TOKEN}\n`, 'tokens'),
    stunUrls: [],
    log: () => {},
  })
})

afterAll(async () => {
  await relay?.close()
  await mediamtx?.close()
  await flaky?.close()
  await calls?.close()
})

it('retries Calls 429 and 5xx and still brings the guest into MediaMTX', async () => {
  const pc = loopbackPeer()
  const video = createSyntheticSource({codec: 'vp8'})
  pc.addTransceiver(video.track, {direction: 'sendonly'})
  try {
    await pc.setLocalDescription(await pc.createOffer())
    const response = await fetch(`${relay.url}/whip/flaky`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
      body: pc.localDescription?.sdp ?? '',
    })
    expect(response.status).toBe(201)
    await pc.setRemoteDescription({type: 'answer', sdp: await response.text()})
    await eventually(() => relay.engine.list()[0]?.state === 'live', 'live', 20_000)
    expect(injected).toEqual(
      expect.arrayContaining([
        '429 POST /v1/apps/app-1/sessions/new',
        '503 POST /v1/apps/app-1/sessions/:id/tracks/new',
      ]),
    )
  } finally {
    video.stop()
    await pc.close()
  }
})
