import {describe, expect, it} from 'vitest'
import {parseConfigText} from '../../../src/config/file.js'
import {Redactor} from '../../../src/config/redact.js'
import {SETTING_KEYS} from '../../../src/config/settings.js'
import {renderConfigTemplate} from '../../../src/config/template.js'

describe('Redactor', () => {
  it.each([
    {secrets: ['s3cr3t'], text: 'Bearer s3cr3t', want: 'Bearer <redacted>'},
    {secrets: ['a b/c'], text: 'x?t=a%20b%2Fc', want: 'x?t=<redacted>'},
    {secrets: ['abc', 'abcdef'], text: 'abcdef', want: '<redacted>'},
    {secrets: ['ab'], text: 'about', want: 'about'},
    {secrets: ['ab'], text: 'ab', want: '<redacted>'},
  ])('redacts $secrets in $text', ({secrets, text, want}) => {
    const redactor = new Redactor()
    for (const secret of secrets) redactor.add(secret)
    expect(redactor.redact(text)).toBe(want)
  })

  it('redacts deeply without touching the input', () => {
    const redactor = new Redactor()
    redactor.add('hunter22')
    const input = {a: ['x hunter22'], b: {c: 'hunter22', n: 3}}
    expect(redactor.redactDeep(input)).toEqual({a: ['x <redacted>'], b: {c: '<redacted>', n: 3}})
    expect(input.b.c).toBe('hunter22')
  })
})

describe('renderConfigTemplate', () => {
  it('mentions every setting and parses as an empty config', () => {
    const text = renderConfigTemplate()
    for (const key of SETTING_KEYS) expect(text).toContain(key.split('.')[1])
    expect(parseConfigText(text, 't.yaml').values.size).toBe(0)
  })

  it('writes given values so that they read back identically', () => {
    const text = renderConfigTemplate({
      values: new Map<never, string | string[]>([
        ['calls.appId' as never, 'yes'],
        ['stun.urls' as never, ['stun:a:1', 'stun:b:2']],
        ['mediamtx.url' as never, 'http://10.0.0.1:8889'],
      ]),
      secretFiles: new Map([['calls.appSecret' as never, '/etc/r58/secret file']]),
    })
    const file = parseConfigText(text, 't.yaml')
    expect(file.values.get('calls.appId')?.raw).toBe('yes')
    expect(file.values.get('stun.urls')?.raw).toEqual(['stun:a:1', 'stun:b:2'])
    expect(file.values.get('mediamtx.url')?.raw).toBe('http://10.0.0.1:8889')
    expect(file.secretFiles.get('calls.appSecret')?.raw).toBe('/etc/r58/secret file')
  })
})
