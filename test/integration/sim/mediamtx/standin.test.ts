/**
 * Fidelity of the MediaMTX stand-in to MediaMTX's documented WHIP behaviour (docs/mediamtx.md §4), over real HTTP and
 * real werift offers on loopback. Nothing is sent to the addresses it advertises (the network guard, test/support/network-guard.ts).
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {request} from 'undici'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {RTCPeerConnection, useVP8} from 'werift'
import {MediamtxApi} from '../../../../src/mediamtx/api-client.js'
import {analyzeAnswer} from '../../../../src/sdp/analysis.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../../../src/sim/mediamtx/standin-server.js'
import type {LogEvent} from '../../../../src/util/log.js'
import {loopbackPeerConfig} from '../../../../src/webrtc/scope.js'
import {parseLinkHeaders} from '../../../../src/whip/link-header.js'

const peers: RTCPeerConnection[] = []
const standins: MediamtxStandin[] = []

beforeAll(() => {})
afterEach(async () => {
  for (const pc of peers.splice(0)) await pc.close()
  for (const s of standins.splice(0)) await s.close()
})
afterAll(() => {})

const BASE = 'webrtcLocalUDPAddress: :8189\nwebrtcAdditionalHosts: []\npaths:\n  all_others:\n'

async function standin(config = BASE, options: {version?: string; log?: (e: LogEvent) => void} = {}) {
  const s = await startMediamtxStandin({
    configText: config,
    whipPort: 0,
    apiPort: 0,
    interfaces: [
      {name: 'lo', address: '127.0.0.1'},
      {name: 'eth0', address: '192.168.1.58'},
    ],
    ...options,
  })
  standins.push(s)
  return s
}

async function offer(kinds: ('audio' | 'video')[] = ['video'], dataChannel = false): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection({...loopbackPeerConfig(), bundlePolicy: 'max-bundle', codecs: {video: [useVP8()]}})
  peers.push(pc)
  for (const kind of kinds) pc.addTransceiver(kind, {direction: 'sendonly'})
  if (dataChannel) pc.createDataChannel('x')
  const created = await pc.createOffer()
  await pc.setLocalDescription(created)
  return pc
}

const post = async (url: string, sdp: string, headers: Record<string, string> = {}) => {
  const res = await request(url, {method: 'POST', headers: {'content-type': 'application/sdp', ...headers}, body: sdp})
  return {status: res.statusCode, headers: res.headers, body: await res.body.text()}
}

describe('the 201 and its headers, per MediaMTX version', () => {
  it.each([
    ['v0.23.0', {'e-tag': expect.stringMatching(/^[0-9a-f-]{36}$/)}, undefined],
    ['v1.0.0', {'e-tag': expect.any(String), id: expect.any(String)}, /^\/cam\/whip\?k=1$/],
    ['v1.2.0', {etag: expect.stringMatching(/^[0-9a-f-]{36}$/), id: expect.any(String)}, /^\/cam\/whip\?k=1$/],
    ['v1.2.1', {etag: '*', id: expect.any(String)}, /^\/cam\/whip\/[0-9a-f-]{36}\?k=1$/],
    ['v1.5.0', {etag: '*', id: expect.any(String)}, /^whip\/[0-9a-f-]{36}$/],
    ['v1.7.0', {etag: '*', id: expect.any(String)}, /^\/cam\/whip\/[0-9a-f-]{36}$/],
    ['v1.20.1', {etag: '*', id: expect.any(String)}, /^\/cam\/whip\/[0-9a-f-]{36}\?k=1$/],
  ])('%s', async (version, headers, location) => {
    const s = await standin(BASE, {version})
    const pc = await offer()
    const res = await post(`${s.endpoint('cam')}?k=1`, pc.localDescription?.sdp ?? '')
    expect(res.status).toBe(201)
    expect(res.headers).toMatchObject({
      'content-type': 'application/sdp',
      'accept-patch': 'application/trickle-ice-sdpfrag',
      ...headers,
    })
    if (location === undefined) expect(res.headers['location']).toBeUndefined()
    else expect(String(res.headers['location'])).toMatch(location)
    expect(res.body.startsWith('v=0')).toBe(true)
  })
})

describe('refusals', () => {
  it.each([
    ['a data channel', () => offer(['video'], true), "unsupported media 'application'"],
    ['two video tracks', () => offer(['video', 'video']), 'only a single video and a single audio track are supported'],
  ])('406 for %s', async (_name, make, message) => {
    const s = await standin()
    const res = await post(s.endpoint('cam'), (await make()).localDescription?.sdp ?? '')
    expect(res.status).toBe(406)
    expect(JSON.parse(res.body)).toEqual({status: 'error', error: message})
  })

  it('406 when there is no track at all', async () => {
    const s = await standin()
    const res = await post(s.endpoint('cam'), 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n')
    expect(res.status).toBe(406)
    expect(JSON.parse(res.body).error).toBe('no valid tracks found')
  })

  it('400 for a wrong content type; charset accepted from v1.8.0', async () => {
    const s = await standin()
    const sdp = (await offer()).localDescription?.sdp ?? ''
    expect((await post(s.endpoint('cam'), sdp, {'content-type': 'text/plain'})).status).toBe(400)
    expect((await post(s.endpoint('cam'), sdp, {'content-type': 'application/sdp; charset=utf-8'})).status).toBe(201)
  })

  it('400 for a path that is not configured', async () => {
    const s = await standin('webrtcLocalUDPAddress: :8189\npaths:\n  cam:\n')
    const res = await post(s.endpoint('other'), (await offer()).localDescription?.sdp ?? '')
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body).error).toBe("path 'other' is not configured")
  })

  it('401 with auth configured (WWW-Authenticate when no credentials), 201 with them', async () => {
    const s = await standin(
      'webrtcLocalUDPAddress: :8189\nauthInternalUsers:\n  - user: bob\n    pass: pw\n    permissions:\n      - action: publish\npaths:\n  all_others:\n',
    )
    const sdp = (await offer()).localDescription?.sdp ?? ''
    const anonymous = await post(s.endpoint('cam'), sdp)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="mediamtx"')
    const wrong = await post(s.endpoint('cam'), sdp, {authorization: 'Bearer bob:nope'})
    expect(wrong.status).toBe(401)
    expect(wrong.headers['www-authenticate']).toBeUndefined()
    expect((await post(s.endpoint('cam'), sdp, {authorization: 'Bearer bob:pw'})).status).toBe(201)
  })

  it('405 for GET, HEAD and PUT on the endpoint; 404 for other URLs', async () => {
    const s = await standin()
    for (const method of ['GET', 'PUT'] as const) {
      expect((await request(s.endpoint('cam'), {method})).statusCode).toBe(405)
    }
    const other = await request(`${s.whipUrl}/nothing/here/at/all.txt`, {method: 'POST', body: 'x'})
    expect(other.statusCode).toBe(404)
    expect(await other.body.text()).toBe('404 page not found')
  })
})

describe('OPTIONS, Link headers, DELETE', () => {
  const ICE = `webrtcLocalUDPAddress: :8189
webrtcICEServers2:
  - url: turn:turn.example.com:3478?transport=udp
    username: u
    password: p
    clientOnly: true
  - url: stun:stun.example.com:3478
    clientOnly: false
paths:
  all_others:
`

  it('a CORS preflight gets 204 without auth; a plain OPTIONS gets the Link ICE servers', async () => {
    const logs: LogEvent[] = []
    const s = await standin(ICE, {log: (e) => logs.push(e)})
    const preflight = await request(s.endpoint('cam'), {
      method: 'OPTIONS',
      headers: {'access-control-request-method': 'POST'},
    })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-methods']).toBe('OPTIONS, GET, POST, PATCH, DELETE')
    expect(preflight.headers['link']).toBeUndefined()
    const plain = await request(s.endpoint('cam'), {method: 'OPTIONS'})
    expect(plain.statusCode).toBe(204)
    expect(plain.headers['accept-post']).toBe('application/sdp')
    const servers = parseLinkHeaders([plain.headers['link'] as string[]].flat()).servers
    expect(servers).toEqual([
      {urls: 'turn:turn.example.com:3478?transport=udp', username: 'u', credential: 'p'},
      {urls: 'stun:stun.example.com:3478'},
    ])
    // The server itself uses only the non-clientOnly STUN server, and the stand-in contacts no non-loopback one.
    await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    expect(logs.filter((e) => e.event === 'standin.ice-server.skipped').map((e) => e.msg)).toEqual([
      'not contacting stun:stun.example.com:3478: the stand-in uses loopback ICE servers only',
    ])
  })

  it('DELETE answers 200 {"status":"ok"} then 404; PATCH of an unknown session 404', async () => {
    const s = await standin()
    const res = await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    const session = new URL(String(res.headers['location']), s.endpoint('cam')).toString()
    const first = await request(session, {method: 'DELETE'})
    expect(first.statusCode).toBe(200)
    expect(await first.body.json()).toEqual({status: 'ok'})
    expect((await request(session, {method: 'DELETE'})).statusCode).toBe(404)
    const patch = await request(session, {
      method: 'PATCH',
      headers: {'content-type': 'application/trickle-ice-sdpfrag'},
      body: 'a=end-of-candidates\r\n',
    })
    expect(patch.statusCode).toBe(404)
    expect(s.sessions()).toEqual([])
  })
})

describe('candidates and sessions', () => {
  it('advertises the interfaces on the mux port, additional hosts and TCP; loopback on its real port', async () => {
    const s = await standin(
      'webrtcLocalUDPAddress: :9189\nwebrtcLocalTCPAddress: :9190\nwebrtcAdditionalHosts: [203.0.113.7, 100.64.0.9]\npaths:\n  all_others:\n',
    )
    const res = await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    const labels = analyzeAnswer(res.body).candidates.map(
      (c) => `${c.component} ${c.label}${c.tcpType ? ' passive' : ''}`,
    )
    expect(labels).toEqual([
      expect.stringMatching(/^1 127\.0\.0\.1:\d+\/udp$/),
      '1 127.0.0.1:9190/tcp passive',
      '1 192.168.1.58:9189/udp',
      '1 192.168.1.58:9190/tcp passive',
      '1 203.0.113.7:9189/udp',
      '2 203.0.113.7:9189/udp',
      '1 203.0.113.7:9190/tcp passive',
      '2 203.0.113.7:9190/tcp passive',
      '1 100.64.0.9:9189/udp',
      '2 100.64.0.9:9189/udp',
      '1 100.64.0.9:9190/tcp passive',
      '2 100.64.0.9:9190/tcp passive',
    ])
    expect(res.body).toContain('a=end-of-candidates')
  })

  it('ends a session that connects but sends no RTP within webrtcTrackGatherTimeout', async () => {
    const logs: LogEvent[] = []
    const s = await standin(`${BASE}webrtcTrackGatherTimeout: 300ms\n`, {log: (e) => logs.push(e)})
    const pc = await offer()
    const res = await post(s.endpoint('cam'), pc.localDescription?.sdp ?? '')
    await pc.setRemoteDescription({type: 'answer', sdp: res.body})
    const api = new MediamtxApi({baseUrl: s.apiUrl as string})
    const deadline = Date.now() + 5000
    while (s.sessions().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(logs.map((e) => e.msg)).toContainEqual(
      expect.stringContaining('closed: deadline exceeded while waiting tracks'),
    )
    expect(await api.path('cam')).toBeNull()
    expect(await api.webrtcSessions()).toEqual([])
  })

  it('ends a session that never connects within webrtcHandshakeTimeout', async () => {
    const logs: LogEvent[] = []
    const s = await standin(`${BASE}webrtcHandshakeTimeout: 300ms\n`, {log: (e) => logs.push(e)})
    await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    const api = new MediamtxApi({baseUrl: s.apiUrl as string})
    expect((await api.webrtcSessions())[0]).toMatchObject({
      peerConnectionEstablished: false,
      state: 'publish',
      path: 'cam',
    })
    const deadline = Date.now() + 5000
    while (s.sessions().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(logs.map((e) => e.msg)).toContainEqual(
      expect.stringContaining('closed: deadline exceeded while waiting connection'),
    )
  })

  it('restart() closes every session ("MediaMTX restarted")', async () => {
    const s = await standin()
    await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    expect(s.sessions()).toHaveLength(1)
    await s.restart()
    expect(s.sessions()).toEqual([])
  })
})

describe('configuration reload', () => {
  it('reloads on file change (dropping sessions), and stops on an invalid file, as MediaMTX does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-standin-'))
    const file = join(dir, 'mediamtx.yml')
    writeFileSync(file, BASE)
    const s = await startMediamtxStandin({configPath: file, whipPort: 0, minReloadIntervalMs: 0})
    standins.push(s)
    await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    expect(s.sessions()).toHaveLength(1)
    writeFileSync(file, BASE.replace('webrtcAdditionalHosts: []', 'webrtcAdditionalHosts: [198.51.100.20]'))
    const deadline = Date.now() + 5000
    while (s.config().webrtc.additionalHosts.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(s.sessions()).toEqual([])
    const res = await post(s.endpoint('cam'), (await offer()).localDescription?.sdp ?? '')
    expect(res.body).toContain('198.51.100.20 8189 typ host')
    writeFileSync(file, 'webrtcLocalUDPAddress: [unclosed\n')
    await expect(
      Promise.race([s.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]),
    ).resolves.toMatch(/mediamtx\.yml/)
  })
})
