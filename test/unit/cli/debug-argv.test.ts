import {describe, expect, it} from 'vitest'
import {maskSecrets, SECRET_FLAG, secretArgvValues} from '../../../src/cli/debug-argv.js'
import {flagNameOf, SETTING_KEYS, SETTINGS, type SettingDef} from '../../../src/config/settings.js'

describe('secret flags in argv', () => {
  it('covers the flag of every secret setting, and not their -file forms', () => {
    const secret = SETTING_KEYS.filter((key) => (SETTINGS[key] as SettingDef).secret)
    expect(secret.length).toBeGreaterThan(3)
    for (const key of secret) {
      expect(`--${flagNameOf(key)}`).toMatch(SECRET_FLAG)
      expect(`--${flagNameOf(key)}-file`).not.toMatch(SECRET_FLAG)
    }
  })

  it.each([
    [['--turn-password', 'a', '--x', 'b'], ['a']],
    [
      ['--app-secret=s1', '--token', 't1', '--tokens-file', '/f'],
      ['s1', 't1'],
    ],
    [['--relay-token'], []],
    [['--', '--token', 'after-double-dash'], []],
    [['--turn-key-token-file', '/etc/tok', '--verbose'], []],
  ])('%j → %j', (argv, values) => {
    expect(secretArgvValues(argv)).toEqual(values)
  })

  it('masks a secret also in the escaped forms inspect and JSON print', () => {
    expect(maskSecrets(`[ 'it\\'s', "it's", "q\\"x" ]`, ["it's", 'q"x'])).toBe(
      `[ '<redacted>', "<redacted>", "<redacted>" ]`,
    )
  })
})
