import {describe, expect, it} from 'vitest'
import {parseConfigText} from '../../../src/config/file.js'
import {Redactor} from '../../../src/config/redact.js'
import {type FlagInput, registerKnownSecrets, resolveSettings} from '../../../src/config/setting-resolve.js'
import type {SettingKey} from '../../../src/config/settings.js'

const noFlags = (): FlagInput => ({values: new Map(), secretFiles: new Map()})
const file = parseConfigText('relay:\n  listen: 127.0.0.3:3\ncalls:\n  appSecret: from-file-secret\n', 'c.yaml')
const secrets: Record<string, string> = {'/s/flag': 'flag-file-secret\n', '/s/env': 'env-file-secret'}
const readSecretFile = async (path: string) => {
  const text = secrets[path]
  if (text === undefined) throw Object.assign(new Error('ENOENT'), {code: 'ENOENT'})
  return text
}

async function resolve(keys: SettingKey[], flags = noFlags(), env: NodeJS.ProcessEnv = {}) {
  const redactor = new Redactor()
  const settings = await resolveSettings({keys, flags, env, file, redactor, readSecretFile})
  return {settings, redactor}
}

describe('resolveSettings precedence: flag > env > file > default', () => {
  it.each([
    {layers: 'all', flag: '127.0.0.1:1', env: '127.0.0.2:2', want: '127.0.0.1:1', layer: 'flag'},
    {layers: 'env and file', flag: undefined, env: '127.0.0.2:2', want: '127.0.0.2:2', layer: 'env'},
    {layers: 'file only', flag: undefined, env: undefined, want: '127.0.0.3:3', layer: 'file'},
  ])('$layers → $layer', async ({flag, env, want, layer}) => {
    const flags = noFlags()
    if (flag) flags.values.set('relay.listen', flag)
    const {settings} = await resolve(['relay.listen'], flags, env ? {R58_RELAY_LISTEN: env} : {})
    expect(settings.get('relay.listen')).toBe(want)
    expect(settings.origin('relay.listen')?.layer).toBe(layer)
  })

  it('falls back to the default', async () => {
    const {settings} = await resolve(['relay.url'])
    expect(settings.get('relay.url')).toBe('http://127.0.0.1:8890')
    expect(settings.origin('relay.url')).toEqual({layer: 'default', name: 'default'})
  })

  it('reads secret files, strips the trailing newline, and registers the secret for redaction', async () => {
    const flags = noFlags()
    flags.secretFiles.set('calls.appSecret', '/s/flag')
    const {settings, redactor} = await resolve(['calls.appSecret'], flags)
    expect(settings.get('calls.appSecret')).toBe('flag-file-secret')
    expect(redactor.redact('token flag-file-secret!')).toBe('token <redacted>!')
  })

  it('takes R58_X_FILE from the environment over the file', async () => {
    const {settings} = await resolve(['calls.appSecret'], noFlags(), {R58_CALLS_APP_SECRET_FILE: '/s/env'})
    expect(settings.get('calls.appSecret')).toBe('env-file-secret')
    expect(settings.origin('calls.appSecret')?.name).toBe('R58_CALLS_APP_SECRET_FILE')
  })

  it('warns about a secret given inline on the command line', async () => {
    const flags = noFlags()
    flags.values.set('calls.appSecret', 'argv-secret')
    const {settings} = await resolve(['calls.appSecret'], flags)
    expect(settings.warnings).toEqual([expect.stringContaining('process list')])
  })

  it('refuses both forms of a secret in one layer', async () => {
    await expect(
      resolve(['calls.appSecret'], noFlags(), {R58_CALLS_APP_SECRET: 'a', R58_CALLS_APP_SECRET_FILE: '/s/env'}),
    ).rejects.toMatchObject({
      code: 'E_CONFIG',
      text: expect.stringContaining('R58_CALLS_APP_SECRET and R58_CALLS_APP_SECRET_FILE'),
    })
  })

  it('names the secret file and the reason when it cannot be read', async () => {
    const flags = noFlags()
    flags.secretFiles.set('calls.appSecret', '/s/missing')
    await expect(resolve(['calls.appSecret'], flags)).rejects.toMatchObject({
      code: 'E_SECRET',
      exitCode: 6,
      text: expect.stringContaining('/s/missing: no such file'),
    })
  })

  it('explains every way to provide a missing required setting, with the command’s own flag name', async () => {
    const flags = noFlags()
    flags.names = new Map([['turn.keyId', 'key-id']])
    const {settings} = await resolve(['turn.keyId'], flags)
    expect(() => settings.require('turn.keyId')).toThrow(
      expect.objectContaining({code: 'E_USAGE', hint: expect.stringContaining('--key-id, set R58_TURN_KEY_ID')}),
    )
  })

  it('registers secrets of the environment and file even when the command does not use them', () => {
    const redactor = new Redactor()
    registerKnownSecrets({R58_TURN_KEY_TOKEN: 'env-token-value'}, file, redactor)
    expect(redactor.redact('env-token-value from-file-secret')).toBe('<redacted> <redacted>')
  })
})
