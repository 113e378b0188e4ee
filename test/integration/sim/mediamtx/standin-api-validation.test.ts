/**
 * The stand-in's control API validates configuration bodies like MediaMTX (docs/mediamtx.md §1.2 and §3.2): a body
 * that is not an object, an unknown field (including `constructor`, `__proto__`), or a value of the wrong JSON
 * type is answered 400 with MediaMTX's error shape, and nothing is applied. Paths are added, patched, replaced
 * and deleted through /v3/config/paths/*, with the same checks.
 */
import {request} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type MediamtxStandin, startMediamtxStandin} from '../../../../src/sim/mediamtx/standin-server.js'

const CONFIG = 'webrtcLocalUDPAddress: :8189\nwebrtcAdditionalHosts: []\nlogLevel: info\npaths:\n  all_others:\n'

let standin: MediamtxStandin
let old: MediamtxStandin
beforeAll(async () => {
  standin = await startMediamtxStandin({configText: CONFIG, whipPort: 0, apiPort: 0})
  old = await startMediamtxStandin({configText: CONFIG, whipPort: 0, apiPort: 0, version: 'v1.9.3'})
})
afterAll(async () => {
  await standin.close()
  await old.close()
})

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: string,
  on = standin,
): Promise<{status: number; json: unknown}> {
  const res = await request(`${on.apiUrl}${path}`, {
    method,
    ...(body !== undefined && {body, headers: {'content-type': 'application/json'}}),
  })
  const text = await res.body.text()
  return {status: res.statusCode, json: text ? JSON.parse(text) : null}
}

const error = (message: string | RegExp) => ({
  status: 'error',
  error: message instanceof RegExp ? expect.stringMatching(message) : message,
})

describe('PATCH /v3/config/global/patch', () => {
  it.each([
    ['{"constructor": 1}', 'json: unknown field "constructor"'],
    ['{"__proto__": {"logLevel": "debug"}}', 'json: unknown field "__proto__"'],
    ['{"toString": "x"}', 'json: unknown field "toString"'],
    ['{"hasOwnProperty": true}', 'json: unknown field "hasOwnProperty"'],
    ['{"logLevel": 5}', 'json: cannot unmarshal number into Go struct field OptionalGlobal.logLevel of type string'],
    [
      '{"readTimeout": 10}',
      'json: cannot unmarshal number into Go struct field OptionalGlobal.readTimeout of type string',
    ],
    ['{"rtsp": "yes"}', 'json: cannot unmarshal string into Go struct field OptionalGlobal.rtsp of type bool'],
    [
      '{"udpMaxPayloadSize": "big"}',
      /cannot unmarshal string into Go struct field OptionalGlobal\.udpMaxPayloadSize of type int/,
    ],
    ['{"udpMaxPayloadSize": 1.5}', /cannot unmarshal number into Go struct field OptionalGlobal\.udpMaxPayloadSize/],
    [
      '{"webrtcAdditionalHosts": [1]}',
      /cannot unmarshal number into Go struct field OptionalGlobal\.webrtcAdditionalHosts of type string/,
    ],
    [
      '{"webrtcAdditionalHosts": "1.2.3.4"}',
      /cannot unmarshal string into Go struct field OptionalGlobal\.webrtcAdditionalHosts of type \[\]string/,
    ],
    [
      '{"webrtcICEServers2": ["stun:x:3478"]}',
      /cannot unmarshal string into Go struct field OptionalGlobal\.webrtcICEServers2/,
    ],
    ['[]', 'json: cannot unmarshal array into Go value of type conf.OptionalGlobal'],
    ['"x"', 'json: cannot unmarshal string into Go value of type conf.OptionalGlobal'],
  ])('%s → 400 %s', async (body, message) => {
    const before = await call('GET', '/v3/config/global/get')
    expect(await call('PATCH', '/v3/config/global/patch', body)).toEqual({status: 400, json: error(message)})
    expect(await call('GET', '/v3/config/global/get')).toEqual(before)
  })

  it('applies a valid patch', async () => {
    expect(await call('PATCH', '/v3/config/global/patch', '{"logLevel": "debug"}')).toEqual({
      status: 200,
      json: {status: 'ok'},
    })
    expect((await call('GET', '/v3/config/global/get')).json).toMatchObject({logLevel: 'debug'})
  })

  it('answers in the error shape of the version (no "status" before v1.15.5)', async () => {
    expect(await call('PATCH', '/v3/config/global/patch', '{"constructor": 1}', old)).toEqual({
      status: 400,
      json: {error: 'json: unknown field "constructor"'},
    })
  })
})

describe('/v3/config/paths', () => {
  it('adds, gets, patches, replaces and deletes a path, validating each body', async () => {
    expect(await call('POST', '/v3/config/paths/add/cam', '{"source": "publisher"}')).toEqual({
      status: 200,
      json: {status: 'ok'},
    })
    expect(await call('GET', '/v3/config/paths/get/cam')).toMatchObject({
      status: 200,
      json: {name: 'cam', source: 'publisher'},
    })
    expect((await call('GET', '/v3/config/paths/list')).json).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({name: 'cam'})]),
    })
    expect(await call('POST', '/v3/config/paths/add/cam', '{}')).toEqual({
      status: 400,
      json: error('path already exists'),
    })
    expect(await call('PATCH', '/v3/config/paths/patch/cam', '{"sourceOnDemand": "no"}')).toEqual({
      status: 400,
      json: error('json: cannot unmarshal string into Go struct field OptionalPath.sourceOnDemand of type bool'),
    })
    expect(await call('PATCH', '/v3/config/paths/patch/cam', '{"sourceOnDemand": true}')).toMatchObject({status: 200})
    expect((await call('GET', '/v3/config/paths/get/cam')).json).toMatchObject({
      source: 'publisher',
      sourceOnDemand: true,
    })
    expect(await call('POST', '/v3/config/paths/replace/cam', '{"record": 1}')).toEqual({
      status: 400,
      json: error('json: cannot unmarshal number into Go struct field OptionalPath.record of type bool'),
    })
    expect(await call('POST', '/v3/config/paths/replace/cam', '{"record": false}')).toMatchObject({status: 200})
    const replaced = (await call('GET', '/v3/config/paths/get/cam')).json as Record<string, unknown>
    expect(replaced).toMatchObject({record: false})
    expect(replaced['sourceOnDemand']).not.toBe(true)
    expect(await call('DELETE', '/v3/config/paths/delete/cam')).toMatchObject({status: 200})
    expect(await call('GET', '/v3/config/paths/get/cam')).toEqual({
      status: 404,
      json: error('path configuration not found'),
    })
  })

  it('treats path names such as __proto__ and constructor as names', async () => {
    for (const name of ['__proto__', 'constructor']) {
      expect(await call('POST', `/v3/config/paths/add/${name}`, '{"source": "publisher"}')).toMatchObject({status: 200})
      expect(await call('GET', `/v3/config/paths/get/${name}`)).toMatchObject({status: 200, json: {name}})
      expect(await call('DELETE', `/v3/config/paths/delete/${name}`)).toMatchObject({status: 200})
      expect((await call('GET', `/v3/config/paths/get/${name}`)).status).toBe(404)
    }
  })

  it.each([
    ['POST', '/v3/config/paths/add/p1', '{"constructor": {}}', 400, 'json: unknown field "constructor"'],
    ['POST', '/v3/config/paths/add/p1', '{"notAKey": 1}', 400, 'json: unknown field "notAKey"'],
    [
      'POST',
      '/v3/config/paths/add/p1',
      '[1]',
      400,
      'json: cannot unmarshal array into Go value of type conf.OptionalPath',
    ],
    ['POST', '/v3/config/paths/add/p1', '{"source": ', 400, /^invalid JSON/],
    ['POST', '/v3/config/paths/add/bad%20name', '{}', 400, /^invalid path name/],
    ['PATCH', '/v3/config/paths/patch/nosuch', '{}', 404, 'path configuration not found'],
    ['POST', '/v3/config/paths/replace/nosuch', '{}', 404, 'path configuration not found'],
    ['DELETE', '/v3/config/paths/delete/nosuch', undefined, 404, 'path configuration not found'],
  ] as const)('%s %s %s → %i', async (method, path, body, status, message) => {
    expect(await call(method, path, body)).toEqual({status, json: error(message)})
    expect((await call('GET', '/v3/config/paths/get/p1')).status).toBe(404)
  })
})

describe('request targets', () => {
  it.each([
    ['GET', '/v3/paths/get/%zz'],
    ['GET', '/v3/webrtcsessions/get/a%'],
    ['POST', '/v3/webrtcsessions/kick/%zz'],
    ['GET', '/v3/config/paths/get/%E0%A4%A'],
  ] as const)('answers %s %s (a malformed percent-escape) with 400, as Go does', async (method, path) => {
    expect(await call(method, path)).toEqual({status: 400, json: error('invalid URL escape')})
  })
})
