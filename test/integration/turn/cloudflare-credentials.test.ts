import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createTurnApiEmulator, type TurnApiEmulator} from '../../../src/sim/turn-api/turn-api-emulator.js'
import {fetchCloudflareIceServers, revokeCloudflareTurnCredential} from '../../../src/turn/cloudflare-credentials.js'
import {restCredential} from '../../../src/turn/rest-credentials.js'
import {closedPort, type LoopbackServer, startHttpServer} from '../../support/http-server.js'

describe('Cloudflare TURN credentials against the documented contract (local emulator)', () => {
  let api: LoopbackServer
  let emulator: TurnApiEmulator
  let apiBase: string
  const key = {keyId: 'key-1', token: 'turn-token-123'}

  beforeAll(async () => {
    emulator = createTurnApiEmulator({
      keys: new Map([[key.keyId, key.token]]),
      stunUrls: ['stun:127.0.0.1:3478', 'stun:127.0.0.1:53'],
      turnUrls: [
        'turn:127.0.0.1:3478?transport=udp',
        'turn:127.0.0.1:53?transport=udp',
        'turns:127.0.0.1:5349?transport=tcp',
      ],
      sharedSecret: 'coturn-shared-secret',
      now: () => 1_800_000_000_000,
    })
    api = await startHttpServer(async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v1/, '')
      if (!(await emulator.handle(req, res, path))) res.writeHead(404).end()
    })
    apiBase = `${api.url}/v1`
  })
  afterAll(() => api.close())

  it('mints ice servers, drops port-53 URLs, and the credential is coturn REST-valid', async () => {
    const result = await fetchCloudflareIceServers({...key, apiBase, ttlSeconds: 3600, now: () => 1_800_000_000_000})
    expect(result.endpoint).toBe('generate-ice-servers')
    expect(result.droppedUrls).toEqual(['stun:127.0.0.1:53', 'turn:127.0.0.1:53?transport=udp'])
    expect(result.iceServers[0]).toEqual({urls: ['stun:127.0.0.1:3478']})
    const turn = result.iceServers[1]
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349?transport=tcp'])
    expect(result.username).toBe(turn?.username)
    const expected = restCredential('coturn-shared-secret', 3600, 'r58emu1', 1_800_000_000_000)
    expect(turn).toMatchObject({username: expected.username, credential: expected.credential})
    expect(result.expiresAt).toBe(new Date(1_800_000_000_000 + 3_600_000).toISOString())
  })

  it('keeps port-53 URLs when asked', async () => {
    const result = await fetchCloudflareIceServers({...key, apiBase, includePort53: true})
    expect(result.droppedUrls).toEqual([])
    expect(JSON.stringify(result.iceServers)).toContain(':53')
  })

  it('understands the legacy single-object shape', async () => {
    const result = await fetchCloudflareIceServers({...key, apiBase, legacy: true})
    expect(result.endpoint).toBe('generate')
    expect(result.iceServers).toHaveLength(1)
    expect(result.username).not.toBeNull()
  })

  it.each([
    {what: 'a wrong token', options: {token: 'wrong'}, code: 'E_AUTH', field: 'turn.keyToken'},
    {what: 'an unknown key id', options: {keyId: 'nope'}, code: 'E_AUTH', field: 'turn.keyId'},
  ])('rejects $what with exit 5 and never echoes the token', async ({options, code, field}) => {
    const error = await fetchCloudflareIceServers({...key, ...options, apiBase}).catch((e: unknown) => e)
    expect(error).toMatchObject({code, exitCode: 5, field})
    expect(JSON.stringify(error)).not.toContain('wrong')
  })

  it('refuses a ttl above 48 h before any request', async () => {
    await expect(fetchCloudflareIceServers({...key, apiBase, ttlSeconds: 172_801})).rejects.toMatchObject({
      code: 'E_USAGE',
    })
  })

  it('revokes (204) and the emulator records it', async () => {
    await expect(revokeCloudflareTurnCredential({...key, apiBase, username: '1800:u'})).resolves.toEqual({
      username: '1800:u',
      revoked: true,
    })
    expect(emulator.revoked.has('1800:u')).toBe(true)
  })

  it('reports an API that is down as unreachable (exit 4)', async () => {
    const port = await closedPort()
    await expect(fetchCloudflareIceServers({...key, apiBase: `http://127.0.0.1:${port}/v1`})).rejects.toMatchObject({
      exitCode: 4,
    })
  })

  it('reports a body that is not JSON as a protocol failure (exit 3)', async () => {
    const odd = await startHttpServer((_req, res) => res.writeHead(201).end('<html>'))
    try {
      await expect(fetchCloudflareIceServers({...key, apiBase: odd.url})).rejects.toMatchObject({
        code: 'E_PROTOCOL',
        exitCode: 3,
      })
    } finally {
      await odd.close()
    }
  })
})
