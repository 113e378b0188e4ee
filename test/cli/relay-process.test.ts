/** `r58 relay start` as a real process: it serves, reports, and on SIGTERM ends every session and exits 0. */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {createSyntheticSource} from '../../src/media/synthetic.js'
import {type CallsEmulator, startCallsEmulator} from '../../src/sim/calls-sfu/sfu-server.js'
import type {MediamtxStandin} from '../../src/sim/mediamtx/standin-server.js'
import {runR58, startR58Process} from '../support/cli.js'
import {eventually, loopbackPeer} from '../support/peers.js'
import {startLoopbackStandin} from '../support/stack.js'

const SECRET = 'calls-secret-0123456789'
const TOKEN = 'relay-token-0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'r58-relay-cli-'))
const secretFile = join(dir, 'calls-secret')
writeFileSync(secretFile, `${SECRET}\n`, {mode: 0o600})
const PATH_TOKEN = 'path-token-from-the-file-0123456789'
const tokensFile = join(dir, 'relay-tokens')
writeFileSync(tokensFile, `live-guest ${PATH_TOKEN}\n`, {mode: 0o600})

let calls: CallsEmulator
let mediamtx: MediamtxStandin

beforeAll(async () => {
  calls = await startCallsEmulator({apps: new Map([['app-1', SECRET]])})
  mediamtx = await startLoopbackStandin()
})
afterAll(async () => {
  await mediamtx?.close()
  await calls?.close()
})

it('serves a guest, shows it in relay status, and on SIGTERM deletes the MediaMTX session and exits 0', async () => {
  const relay = startR58Process(
    [
      ...[
        'relay',
        'start',
        '--relay-listen',
        '127.0.0.1:0',
        '--admin-listen',
        '127.0.0.1:0',
        '--relay-tokens-file',
        tokensFile,
      ],
      ...['--mediamtx-url', mediamtx.whipUrl, '--stun-urls', ''],
      ...['--calls-app-id', 'app-1', '--calls-app-secret-file', secretFile, '--calls-api-base', calls.apiBase],
    ],
    {R58_RELAY_TOKEN: TOKEN},
  )
  const guest = loopbackPeer()
  const video = createSyntheticSource({codec: 'vp8'})
  try {
    const started = await relay.waitFor('relay.started')
    const url = String(started['url'])
    const adminUrl = String(started['adminUrl'])
    // A tokens-file token in a join link's query, on an offer Calls refuses: logged, but never the token.
    const refused = await fetch(`${url}/whip/live-guest?token=${PATH_TOKEN}`, {
      method: 'POST',
      headers: {'content-type': 'application/sdp'},
      body: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n',
    })
    expect(refused.status).toBe(400)
    guest.addTransceiver(video.track, {direction: 'sendonly'})
    await guest.setLocalDescription(await guest.createOffer())
    const response = await fetch(`${url}/whip/live-guest`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp'},
      body: guest.localDescription?.sdp ?? '',
    })
    expect(response.status).toBe(201)
    await guest.setRemoteDescription({type: 'answer', sdp: await response.text()})
    await relay.waitFor('relay.publish.live')
    await eventually(() => mediamtx.sessions().some((s) => s.pathName === 'live-guest'), 'the guest in MediaMTX')

    expect((await fetch(`${url}/status`)).status).toBe(404)
    const status = await runR58(['relay', 'status', '--relay-admin-url', adminUrl, '--json'])
    expect(JSON.parse(status.stdout).result.sessions).toMatchObject([{path: 'live-guest'}])
  } finally {
    relay.kill('SIGTERM')
  }
  expect(await relay.exited).toBe(0)
  expect(relay.events.at(-1)).toMatchObject({event: 'relay.stopped', sessions: 1})
  await eventually(() => mediamtx.sessions().length === 0, 'the MediaMTX session deleted by the relay')
  expect(relay.stderr()).toBe('')
  expect(JSON.stringify(relay.events)).not.toContain(TOKEN)
  expect(JSON.stringify(relay.events)).not.toContain(SECRET)
  expect(JSON.stringify(relay.events)).toContain('relay.offer.refused')
  expect(JSON.stringify(relay.events)).not.toContain(PATH_TOKEN)
  video.stop()
  await guest.close()
})
