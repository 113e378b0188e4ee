/**
 * The MediaMTX stand-in's `source: whep://` paths, against a small WHEP server on loopback (a werift answerer
 * sending synthetic media): the stand-in is the client and sends the offer, the path becomes ready with bytes
 * growing, it pulls again when the source ends, and the v3 config API adds, patches and deletes such paths
 * with MediaMTX's answers.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {RTCPeerConnection} from 'werift'
import {createSyntheticSource, type SyntheticSource} from '../../../../src/media/synthetic.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../../../src/sim/mediamtx/standin-server.js'
import {eventually, loopbackPeer} from '../../../support/peers.js'

interface Served {
  pc: RTCPeerConnection
  sources: SyntheticSource[]
  offer: string
  authorization: string | undefined
  url: string
}

let server: Server
let whepBase: string
const served: Served[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      if (req.method === 'DELETE') {
        res.writeHead(200).end()
        return
      }
      const pc = loopbackPeer()
      const sources = [createSyntheticSource({codec: 'vp8'}), createSyntheticSource({codec: 'opus'})]
      const offer = Buffer.concat(chunks).toString('utf8')
      await pc.setRemoteDescription({type: 'offer', sdp: offer})
      for (const transceiver of pc.getTransceivers()) {
        const source = sources.find((s) => s.track.kind === transceiver.kind)
        transceiver.setDirection('sendonly')
        if (source) {
          transceiver.sender.replaceTrack(source.track)
          source.attach(transceiver.sender)
        }
      }
      await pc.setLocalDescription(await pc.createAnswer())
      served.push({pc, sources, offer, authorization: req.headers.authorization, url: req.url ?? ''})
      res.writeHead(201, {'content-type': 'application/sdp', location: `${req.url?.split('?')[0]}/session/1`})
      res.end(pc.localDescription?.sdp)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  whepBase = `whep://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  for (const s of served.splice(0)) {
    for (const source of s.sources) source.stop()
    await s.pc.close()
  }
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
})

const standin = (yml: string, version = 'v1.20.1') =>
  startMediamtxStandin({configText: yml, version, whipPort: 0, apiPort: 0, whepRetryPauseMs: 100})

async function pathState(mediamtx: MediamtxStandin, name: string) {
  const response = await fetch(`${mediamtx.apiUrl}/v3/paths/get/${name}`)
  return response.status === 200 ? ((await response.json()) as {ready: boolean; inboundBytes: number}) : null
}

async function expectGrowing(mediamtx: MediamtxStandin, name: string): Promise<void> {
  let first: number | undefined
  await eventually(async () => {
    const state = await pathState(mediamtx, name)
    if (!state?.ready) return false
    first ??= state.inboundBytes
    return state.inboundBytes > first
  }, `path ${name} ready with bytes growing`)
}

describe('stand-in: source whep://', () => {
  it('pulls a path of its config file as the WHEP client, and pulls again when the source ends', async () => {
    const mediamtx = await standin(`readTimeout: 1s\npaths:\n  cam:\n    source: ${whepBase}/feed?k=1\n`)
    try {
      await expectGrowing(mediamtx, 'cam')
      // MediaMTX is the client: receive-only offer, URL as written (query included).
      expect(served[0]?.url).toBe('/feed?k=1')
      expect(served[0]?.offer).toMatch(/a=recvonly/)
      // The source ends: its peer closes. The stand-in notices and pulls again.
      await served[0]?.pc.close()
      await eventually(() => served.length >= 2, 'a second pull', 10_000)
      await expectGrowing(mediamtx, 'cam')
    } finally {
      await mediamtx.close()
    }
  })

  it('adds, patches and deletes WHEP paths through the v3 API, as MediaMTX answers', async () => {
    const mediamtx = await standin('paths:\n  all_others:\n')
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${mediamtx.apiUrl}/v3/config/paths/${path}`, {
        method,
        ...(body !== undefined && {body: JSON.stringify(body), headers: {'content-type': 'application/json'}}),
      })
    try {
      const conf = {source: `${whepBase}/a`, whepBearerToken: 'secret-token'}
      expect((await api('POST', 'add/live/a', conf)).status).toBe(200)
      expect(await (await api('POST', 'add/live/a', conf)).json()).toMatchObject({error: 'path already exists'})
      await expectGrowing(mediamtx, 'live/a')
      expect(served[0]?.authorization).toBe('Bearer secret-token')
      expect(await (await api('GET', 'get/live/a')).json()).toMatchObject({name: 'live/a', source: `${whepBase}/a`})
      expect((await api('PATCH', 'patch/live/a', {source: `${whepBase}/b`})).status).toBe(200)
      await eventually(() => served.some((s) => s.url === '/b'), 'a pull from the new source')
      expect((await api('DELETE', 'delete/live/a')).status).toBe(200)
      await eventually(async () => (await pathState(mediamtx, 'live/a')) === null, 'the path gone')
      expect((await api('DELETE', 'delete/live/a')).status).toBe(404)
      expect((await api('PATCH', 'patch/nope', {source: 'publisher'})).status).toBe(404)
      expect(await (await api('POST', 'add/x', {sauce: 1})).json()).toMatchObject({
        error: 'json: unknown field "sauce"',
      })
      expect((await api('POST', 'add/x', {source: 'ftp://x'})).status).toBe(400)
      expect((await api('GET', 'list')).status).toBe(200)
    } finally {
      await mediamtx.close()
    }
  })

  it.each([
    {version: 'v1.9.0', key: 'whepBearerToken', status: 400},
    {version: 'v1.1.0', key: 'source', status: 404},
  ])('MediaMTX $version: $key in paths/add → $status', async ({version, key, status}) => {
    const mediamtx = await standin('paths:\n  all_others:\n', version)
    try {
      const response = await fetch(`${mediamtx.apiUrl}/v3/config/paths/add/p`, {
        method: 'POST',
        body: JSON.stringify({[key]: `${whepBase}/p`}),
      })
      expect(response.status).toBe(status)
    } finally {
      await mediamtx.close()
    }
  })
})
