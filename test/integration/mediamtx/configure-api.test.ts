/** `configure --apply` and `--mediamtx-api-url` against the MediaMTX control-API stand-in on loopback. */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {parseConfigDoc} from '../../../src/mediamtx/config-doc.js'
import {configureMediamtx} from '../../../src/mediamtx/configure.js'
import {closedPort} from '../../support/http-server.js'
import {fixture} from '../../support/mediamtx.js'
import {type MediamtxStandin, startMediamtxStandin} from '../../support/mediamtx-api.js'

const V120 = fixture('v1.20.1.yml')
const host = (h: string) => [{op: 'add-host' as const, host: h}]
const liveConfigOf = (text: string) => parseConfigDoc(text, 'f').raw()

let standin: MediamtxStandin | undefined
afterEach(async () => {
  await standin?.close()
  standin = undefined
})

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'r58-api-')), 'mediamtx.yml')
  writeFileSync(path, text)
  return path
}

describe('configure --apply', () => {
  it('PATCHes only the changed keys, takes the version from /v3/info, and reads them back', async () => {
    standin = await startMediamtxStandin('v1.20.1', liveConfigOf(V120))
    const path = tempFile(V120)
    const result = await configureMediamtx({
      file: path,
      operations: [...host('100.64.0.5'), {op: 'tcp-address', address: ':8189'}],
      api: {baseUrl: standin.url},
      apply: true,
    })
    expect(result.version).toMatchObject({value: 'v1.20.1', source: 'api'})
    expect(standin.patches).toEqual([{webrtcLocalTCPAddress: ':8189', webrtcAdditionalHosts: ['100.64.0.5']}])
    expect(result.applied).toEqual({
      url: standin.url,
      keys: ['webrtcLocalTCPAddress', 'webrtcAdditionalHosts'],
      sessions: 0,
      verified: true,
    })
    expect(result.written).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe(V120)
    expect(result.notes.join()).toContain('add --write to keep them')
  })

  it('refuses while WebRTC sessions are active, writing and patching nothing; --force applies', async () => {
    standin = await startMediamtxStandin('v1.20.1', liveConfigOf(V120), {sessions: 2})
    const path = tempFile(V120)
    const options = {file: path, operations: host('100.64.0.5'), api: {baseUrl: standin.url}, apply: true, write: true}
    await expect(configureMediamtx(options)).rejects.toMatchObject({
      code: 'E_MEDIAMTX_CONFIG',
      exitCode: 6,
      text: expect.stringContaining('2 active WebRTC sessions'),
      hint: expect.stringContaining('--force'),
    })
    expect(standin.patches).toEqual([])
    expect(readFileSync(path, 'utf8')).toBe(V120)
    const forced = await configureMediamtx({...options, force: true, backup: false})
    expect(forced.applied).toMatchObject({sessions: 2, verified: true})
    expect(forced.written).toBe(true)
  })

  it('retries while MediaMTX restarts its API after the PATCH', async () => {
    standin = await startMediamtxStandin('v1.20.1', liveConfigOf(V120))
    standin.resetAfterPatch = 2
    const result = await configureMediamtx({
      file: tempFile(V120),
      operations: host('100.64.0.5'),
      api: {baseUrl: standin.url},
      apply: true,
      retryDelayMs: 10,
    })
    expect(result.applied?.verified).toBe(true)
  })

  it('works on the live configuration alone: a key diff, then the PATCH', async () => {
    standin = await startMediamtxStandin('v1.20.1', liveConfigOf(V120))
    const dry = await configureMediamtx({operations: host('100.64.0.5'), api: {baseUrl: standin.url}})
    expect(dry.diff).toBe(
      `--- ${standin.url}/v3/config/global/get\n+++ ${standin.url}/v3/config/global/get (patched)\n@@ webrtcAdditionalHosts @@\n-webrtcAdditionalHosts: []\n+webrtcAdditionalHosts: ["100.64.0.5"]\n`,
    )
    expect(standin.patches).toEqual([])
    const applied = await configureMediamtx({operations: host('100.64.0.5'), api: {baseUrl: standin.url}, apply: true})
    expect(standin.patches).toEqual([{webrtcAdditionalHosts: ['100.64.0.5']}])
    expect(applied.path).toBeNull()
    const again = await configureMediamtx({operations: host('100.64.0.5'), api: {baseUrl: standin.url}, apply: true})
    expect(again).toMatchObject({noop: true, applied: null})
  })

  it('uses the key the live version knows (v1.2.0: webrtcICEHostNAT1To1IPs), which the server accepts', async () => {
    const v12 = fixture('v1.2.0.yml')
    standin = await startMediamtxStandin('v1.2.0', liveConfigOf(v12))
    const result = await configureMediamtx({
      file: tempFile(v12),
      operations: host('100.64.0.5'),
      api: {baseUrl: standin.url},
      apply: true,
    })
    // v1.2.0 predates /v3/info: the version is inferred from the file.
    expect(result.version).toMatchObject({value: 'v1.2.0', source: 'inferred'})
    expect(standin.patches).toEqual([{webrtcICEHostNAT1To1IPs: ['100.64.0.5']}])
  })

  it('maps rejected credentials to exit 5 and an unreachable API to exit 4', async () => {
    standin = await startMediamtxStandin('v1.20.1', liveConfigOf(V120), {auth: {user: 'r58', pass: 'secret'}})
    const base = {file: tempFile(V120), operations: host('100.64.0.5'), apply: true}
    await expect(configureMediamtx({...base, api: {baseUrl: standin.url}})).rejects.toMatchObject({exitCode: 5})
    const ok = await configureMediamtx({...base, api: {baseUrl: standin.url, user: 'r58', password: 'secret'}})
    expect(ok.applied?.verified).toBe(true)
    const down = await closedPort()
    await expect(configureMediamtx({...base, api: {baseUrl: `http://127.0.0.1:${down}`}})).rejects.toMatchObject({
      exitCode: 4,
    })
  })

  it('needs --mediamtx-api-url for --apply, and a file or an API at all', async () => {
    await expect(configureMediamtx({operations: host('100.64.0.5')})).rejects.toMatchObject({exitCode: 2})
    await expect(
      configureMediamtx({file: tempFile(V120), operations: host('1.2.3.4'), apply: true}),
    ).rejects.toMatchObject({exitCode: 2})
  })
})
