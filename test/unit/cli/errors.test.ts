import {Args, Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {normalizeError} from '../../../src/cli/cli-errors.js'
import {usageErrorOf} from '../../../src/cli/usage-error.js'
import {R58Error} from '../../../src/errors.js'

/** A command's parse input like `probe whip`'s: a required URL and a flag that takes several values. */
const input = {
  args: {url: Args.string({required: true, description: 'WHIP endpoint (http://box:8889/cam/whip)'})},
  flags: {
    'ice-server': Flags.string({multiple: true}),
    username: Flags.string(),
    port: Flags.integer({max: 65535}),
    session: Flags.string({required: true}),
    video: Flags.option({options: ['vp8', 'h264'] as const})(),
  },
  strict: true,
}

async function parseFailure(argv: string[]): Promise<unknown> {
  return Parser.parse(argv, input).then(
    () => expect.unreachable('parsed'),
    (error: unknown) => error,
  )
}

describe('usageErrorOf: whatever the parser throws, read from its structure', () => {
  it.each([
    {
      argv: ['--session', 's'],
      want: 'Missing required argument URL',
      hint: 'URL: WHIP endpoint (http://box:8889/cam/whip)',
    },
    {
      argv: ['http://h', '--usrname', 'x', '--session', 's'],
      want: 'Unknown flag --usrname',
      hint: 'Did you mean --username?',
    },
    {argv: ['http://h'], want: 'Missing required flag --session'},
    {
      argv: ['http://h', 'extra', '--session', 's'],
      want: 'Unexpected argument "extra"',
      hint: 'Quote values with spaces, and put flags after a value that starts with a dash as --flag=value.',
    },
    {
      argv: ['http://h', '--session', 's', '--port', '70000'],
      want: '--port: Expected an integer less than or equal to 65535 but received: 70000',
    },
    {argv: ['http://h', '--session', 's', '--video', 'vp9'], want: 'Expected --video=vp9 to be one of: vp8, h264'},
    {argv: ['http://h', '--session'], want: 'Flag --session expects a value'},
  ])('$argv → $want', async ({argv, want, hint}) => {
    const e = usageErrorOf(await parseFailure(argv), Object.keys(input.flags))
    expect(e).toMatchObject({code: 'E_USAGE', exitCode: 2, text: want})
    expect(e.message).not.toContain('\n')
    expect(e.hint).toBe(hint)
  })
})

describe('normalizeError', () => {
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
