import {afterEach, describe, expect, it} from 'vitest'
import {MediamtxApi} from '../../../src/mediamtx/api-client.js'
import {parseVersion} from '../../../src/mediamtx/version.js'
import {createStandinApiHandler, type StandinState} from '../../../src/sim/mediamtx/api-server.js'
import {type LoopbackServer, startHttpServer} from '../../support/http-server.js'

function state(version: string, config: Record<string, unknown> = {webrtcAdditionalHosts: []}): StandinState {
  return {
    version: parseVersion(version) ?? [1, 20, 1],
    started: '2026-11-25T10:00:00Z',
    globalConfig: () => config,
    patchGlobalConfig: (patch) => {
      Object.assign(config, patch)
      return undefined
    },
    paths: () => [
      {
        name: 'cam',
        confName: 'all_others',
        ready: true,
        readyTime: '2026-11-25T10:00:01Z',
        source: {type: 'webRTCSession', id: 'abc'},
        tracks: ['VP8', 'Opus'],
        inboundBytes: 1234,
        outboundBytes: 0,
        readers: [],
      },
    ],
    webrtcSessions: () => [
      {
        id: 'abc',
        created: '2026-11-25T10:00:00Z',
        remoteAddr: '127.0.0.1:5000',
        peerConnectionEstablished: true,
        localCandidate: 'host/udp/127.0.0.1/8189',
        remoteCandidate: 'host/udp/127.0.0.1/5000',
        state: 'publish',
        path: 'cam',
        query: '',
        inboundBytes: 1234,
        inboundRTPPackets: 10,
        inboundRTPPacketsLost: 0,
        inboundRTPPacketsJitter: 0,
        inboundRTCPPackets: 1,
        outboundBytes: 0,
        outboundRTPPackets: 0,
        outboundRTCPPackets: 1,
      },
    ],
    kickWebrtcSession: () => true,
  }
}

describe('MediaMTX API client against the stand-in API, across versions', () => {
  let server: LoopbackServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it.each([
    ['v1.2.0', null],
    ['v1.9.3', null],
    ['v1.15.6', 'v1.15.6'],
    ['v1.16.0', 'v1.16.0'],
    ['v1.20.1', 'v1.20.1'],
  ])('%s: same normalised answers (info.version %s)', async (version, reported) => {
    server = await startHttpServer(createStandinApiHandler({state: state(version)}))
    const api = new MediamtxApi({baseUrl: server.url})
    const info = await api.info()
    expect(info.version).toBe(reported)
    expect(await api.path('cam')).toEqual({
      name: 'cam',
      ready: true,
      source: {type: 'webRTCSession', id: 'abc'},
      inboundBytes: 1234,
      tracks: ['VP8', 'Opus'],
      readers: 0,
    })
    expect(await api.path('absent')).toBeNull()
    const sessions = await api.webrtcSessions()
    expect(sessions).toMatchObject([
      {id: 'abc', localCandidate: 'host/udp/127.0.0.1/8189', inboundBytes: 1234, state: 'publish'},
    ])
    expect(await api.webrtcSession('abc')).toMatchObject({peerConnectionEstablished: true})
    expect(await api.webrtcSession('zzz')).toBeNull()
  })

  it('patches known keys and refuses keys the version does not know', async () => {
    const config: Record<string, unknown> = {webrtcAdditionalHosts: []}
    server = await startHttpServer(createStandinApiHandler({state: state('v1.2.0', config)}))
    const api = new MediamtxApi({baseUrl: server.url})
    await api.patchGlobalConfig({webrtcICEHostNAT1To1IPs: ['203.0.113.9']})
    expect(config['webrtcICEHostNAT1To1IPs']).toEqual(['203.0.113.9'])
    await expect(api.patchGlobalConfig({webrtcAdditionalHosts: ['x']})).rejects.toMatchObject({
      code: 'E_PROTOCOL',
      text: expect.stringContaining('unknown field "webrtcAdditionalHosts"'),
    })
  })

  it('maps 401 to credentials rejected (exit 5), with the fix', async () => {
    server = await startHttpServer(createStandinApiHandler({state: state('v1.20.1'), auth: {user: 'u', pass: 'p'}}))
    await expect(new MediamtxApi({baseUrl: server.url}).globalConfig()).rejects.toMatchObject({exitCode: 5})
    await expect(new MediamtxApi({baseUrl: server.url, user: 'u', password: 'p'}).globalConfig()).resolves.toEqual({
      webrtcAdditionalHosts: [],
    })
  })

  it('says when the address is not a MediaMTX API', async () => {
    server = await startHttpServer((_req, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html>'))
    await expect(new MediamtxApi({baseUrl: server.url}).globalConfig()).rejects.toMatchObject({
      code: 'E_PROTOCOL',
      hint: expect.stringContaining('apiAddress'),
    })
  })
})
