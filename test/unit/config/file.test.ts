import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {configPathOf, loadConfigFile, parseConfigText} from '../../../src/config/file.js'

describe('parseConfigText', () => {
  it('reads values and secret file references with their positions', () => {
    const file = parseConfigText(
      'calls:\n  appId: abc\n  appSecretFile: /run/secret\nstun:\n  urls: [stun:a:1]\n',
      'c.yaml',
    )
    expect(file.values.get('calls.appId')).toEqual({raw: 'abc', where: 'c.yaml:2:10'})
    expect(file.secretFiles.get('calls.appSecret')).toEqual({raw: '/run/secret', where: 'c.yaml:3:18'})
    expect(file.values.get('stun.urls')?.raw).toEqual(['stun:a:1'])
  })

  it.each([
    {text: '', why: 'empty file'},
    {text: '# only comments\n', why: 'comments only'},
    {text: 'calls:\n  # appId: x\n', why: 'an empty section'},
  ])('accepts $why', ({text}) => {
    expect(parseConfigText(text, 'c.yaml').values.size).toBe(0)
  })

  it.each([
    {
      text: 'calls:\n  appid: x\n',
      message: 'c.yaml:2:3: unknown setting "calls.appid"',
      hint: 'Did you mean "calls.appId"?',
    },
    {text: 'cals:\n  appId: x\n', message: 'c.yaml:1:1: unknown section "cals"', hint: 'Did you mean "calls"?'},
    {text: 'calls:\n  appId: [x\n', message: 'c.yaml:3:1: invalid YAML', hint: 'YAML'},
    {text: 'calls:\n  appId: a\n  appId: b\n', message: 'c.yaml:3:3', hint: ''},
    {text: '- a\n- b\n', message: 'must be a mapping', hint: ''},
    {text: 'calls: 3\n', message: '"calls" must be a mapping', hint: ''},
    {text: 'calls:\n  appId: {a: 1}\n', message: 'must be a scalar', hint: ''},
  ])('rejects $text with file:line:col', ({text, message, hint}) => {
    let error: {code?: string; text?: string; hint?: string} = {}
    try {
      parseConfigText(text, 'c.yaml')
    } catch (e) {
      error = e as typeof error
    }
    expect(error.code).toBe('E_CONFIG')
    expect(error.text).toContain(message)
    expect(`${error.text} ${error.hint ?? ''}`).toContain(hint)
  })
})

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r58-file-'))

  it('treats a missing default file as no file, but a missing explicit file as an error', async () => {
    await expect(loadConfigFile(join(dir, 'absent.yaml'), false)).resolves.toBeUndefined()
    await expect(loadConfigFile(join(dir, 'absent.yaml'), true)).rejects.toMatchObject({code: 'E_CONFIG'})
  })

  it('names a directory given as the config file', async () => {
    await expect(loadConfigFile(dir, true)).rejects.toMatchObject({text: expect.stringContaining('directory')})
  })

  it('reads a real file', async () => {
    const path = join(dir, 'ok.yaml')
    writeFileSync(path, 'relay:\n  listen: 127.0.0.1:9\n')
    expect((await loadConfigFile(path, true))?.values.get('relay.listen')?.raw).toBe('127.0.0.1:9')
  })

  it('picks the flag, then R58_CONFIG, then XDG_CONFIG_HOME', () => {
    expect(configPathOf('/a.yaml', {R58_CONFIG: '/b.yaml'})).toEqual({path: '/a.yaml', explicit: true})
    expect(configPathOf(undefined, {R58_CONFIG: '/b.yaml'})).toEqual({path: '/b.yaml', explicit: true})
    expect(configPathOf(undefined, {XDG_CONFIG_HOME: '/x'})).toEqual({path: '/x/r58/config.yaml', explicit: false})
  })
})
