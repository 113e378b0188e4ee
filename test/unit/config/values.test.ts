import {describe, expect, it} from 'vitest'
import {type Origin, parseSettingValue} from '../../../src/config/values.js'
import {R58Error} from '../../../src/errors.js'

const flag: Origin = {layer: 'flag', name: '--relay-listen'}
const env: Origin = {layer: 'env', name: 'R58_RELAY_LISTEN'}
const file: Origin = {layer: 'file', name: '/etc/r58.yaml:3:11'}

describe('parseSettingValue', () => {
  it.each([
    {key: 'relay.listen', raw: '127.0.0.1:8890', want: '127.0.0.1:8890'},
    {key: 'relay.listen', raw: '[::1]:8890', want: '[::1]:8890'},
    {key: 'relay.listen', raw: '127.0.0.1:0', want: '127.0.0.1:0'},
    {key: 'relay.listen', raw: ':8890', want: ':8890'},
    {key: 'mediamtx.url', raw: 'http://127.0.0.1:8889/', want: 'http://127.0.0.1:8889'},
    {key: 'stun.urls', raw: 'stun:a:1, stun:b:2', want: ['stun:a:1', 'stun:b:2']},
    {key: 'stun.urls', raw: ['stun:a:1'], want: ['stun:a:1']},
    {key: 'calls.appId', raw: 12345, want: '12345'},
  ] as const)('accepts $key = $raw', ({key, raw, want}) => {
    expect(parseSettingValue(key, raw, flag)).toEqual(want)
  })

  it.each([
    {key: 'relay.listen', raw: '1.2.3.4:70000', form: 'host:port with a port from 1 to 65535'},
    {key: 'relay.listen', raw: 'localhost', form: 'host:port'},
    {key: 'mediamtx.url', raw: 'ftp://x', form: 'a URL (http: or https:)'},
    {key: 'mediamtx.url', raw: 'not a url', form: 'a URL'},
  ] as const)('rejects $key = $raw from a flag as a usage error naming the flag', ({key, raw, form}) => {
    const error = (() => {
      try {
        parseSettingValue(key, raw, flag)
      } catch (e) {
        return e
      }
      return undefined
    })() as R58Error
    expect(error).toBeInstanceOf(R58Error)
    expect(error.code).toBe('E_USAGE')
    expect(error.exitCode).toBe(2)
    expect(error.text).toContain('--relay-listen')
    expect(error.text).toContain(form)
  })

  it.each([env, file])('rejects a bad value from $layer as invalid configuration (exit 6)', (origin) => {
    expect(() => parseSettingValue('relay.listen', 'nope', origin)).toThrow(
      expect.objectContaining({code: 'E_CONFIG', exitCode: 6}),
    )
  })

  it('never echoes a bad secret value', () => {
    try {
      parseSettingValue('calls.appSecret', ['a', 'b'] as unknown as string, env)
    } catch (e) {
      expect((e as R58Error).text).not.toContain('"a"')
      expect((e as R58Error).text).toContain('<redacted>')
    }
  })
})
