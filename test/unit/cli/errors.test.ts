import {describe, expect, it} from 'vitest'
import {normalizeError} from '../../../src/cli/errors.js'
import {R58Error} from '../../../src/errors.js'

const parseError = (message: string) => new Error(`${message}\nSee more help with --help`)

describe('normalizeError', () => {
  it.each([
    {message: 'Nonexistent flag: --usrname', want: 'Unknown flag --usrname', hint: 'Did you mean --username?'},
    {
      message: 'Parsing --port \n\tExpected an integer but received: x',
      want: '--port: Expected an integer but received: x',
    },
    {
      message: 'The following error occurred:\n  Missing required flag url',
      want: 'Missing required flag --url',
    },
    {message: 'Missing 1 required arg:\nurl  The WHIP endpoint', want: 'Missing required argument URL'},
    {message: 'Expected --video=vp9 to be one of: vp8, h264', want: 'Expected --video=vp9 to be one of: vp8, h264'},
  ])('rewords "$message" as one line', ({message, want, hint}) => {
    const e = normalizeError(parseError(message), ['username', 'port'])
    expect(e).toMatchObject({code: 'E_USAGE', exitCode: 2, message: want})
    expect(e.message).not.toContain('\n')
    expect(e.hint).toBe(hint)
  })

  it('keeps our own message even after oclif rewrote it', () => {
    const error = new R58Error('E_USAGE', '--port: expected an integer from 1 to 65535, got "70000"')
    error.message = `Parsing --port \n\t${error.message}\nSee more help with --help`
    expect(normalizeError(error)).toMatchObject({
      message: '--port: expected an integer from 1 to 65535, got "70000"',
      exitCode: 2,
    })
  })

  it('maps anything else to a bug (exit 1)', () => {
    expect(normalizeError(new TypeError('x is undefined'))).toMatchObject({code: 'E_BUG', exitCode: 1})
  })
})
