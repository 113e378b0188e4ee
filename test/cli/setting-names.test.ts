/**
 * One name per setting: every command names a setting with the registry's flag (`--turn-key-id`,
 * `--turn-credential-file`, `--file`), never its own. The names commands used before still work as hidden
 * aliases that warn once, on stderr or in the --json envelope.
 */
import {writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type Command, Config, type Interfaces, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import type {SettingMark} from '../../src/cli/flags.js'
import {flagNameOf, type SettingKey} from '../../src/config/settings.js'
import {ROOT, runR58} from '../support/cli.js'

const config = await Config.load({root: ROOT})
type Flag = Interfaces.Flag<unknown>

interface Named {
  command: string
  flag: string
  aliases: string[]
}

const namesBySetting = new Map<string, Named[]>()
for (const command of config.commands) {
  const loaded = await command.load()
  for (const [flag, definition] of Object.entries(loaded.flags ?? {})) {
    const mark = definition as SettingMark & {aliases?: string[]}
    if (!mark.r58Setting) continue
    const setting = `${mark.r58Setting}${mark.r58SecretFile ? ' (file)' : ''}`
    const named = {command: command.id.replaceAll(':', ' '), flag, aliases: mark.aliases ?? []}
    namesBySetting.set(setting, [...(namesBySetting.get(setting) ?? []), named])
  }
}

describe('one flag name per setting', () => {
  it('finds setting flags in many commands', () => {
    expect(namesBySetting.size).toBeGreaterThan(20)
  })

  it.each([...namesBySetting])('%s has one name in every command', (setting, uses) => {
    const key = setting.replace(' (file)', '') as SettingKey
    const expected = `${flagNameOf(key)}${setting.endsWith('(file)') ? '-file' : ''}`
    const differing = uses.filter((use) => use.flag !== expected).map((use) => `${use.command}: --${use.flag}`)
    expect(differing).toEqual([])
  })

  it('an alias never shadows another flag of the same command', async () => {
    for (const command of config.commands) {
      const loaded = await command.load()
      const flags = Object.entries(loaded.flags ?? {}) as [string, {aliases?: string[]}][]
      const names = new Set(flags.map(([name]) => name))
      for (const [name, definition] of flags) {
        for (const alias of definition.aliases ?? []) expect(names.has(alias), `${command.id} --${name}`).toBe(false)
      }
    }
  })
})

describe('old flag names', () => {
  const tokenFile = join(tmpdir(), 'r58-turn-token')
  writeFileSync(tokenFile, 'emu-token\n')

  it.each([
    ['human', [] as string[]],
    ['--json', ['--json']],
  ])('still work and warn once (%s)', async (mode, extra) => {
    // turn credentials against a closed loopback port: the request fails, but only after the flags were parsed.
    const argv = [
      'turn',
      'credentials',
      '--key-id',
      'k1',
      '--token-file',
      tokenFile,
      '--api-base',
      'http://127.0.0.1:9/v1',
    ]
    const run = await runR58([...argv, '--timeout', '1', ...extra])
    expect(run.exitCode).toBe(4)
    const renames = [
      ['--key-id', '--turn-key-id'],
      ['--token-file', '--turn-key-token-file'],
      ['--api-base', '--turn-api-base'],
    ]
    const expected = renames.map(([alias, name]) => `The "${alias}" flag has been deprecated. Use "${name}" instead.`)
    if (mode === 'human') {
      const warnings = run.stderr.split('\n').filter((line) => line.includes('deprecated'))
      expect(warnings).toEqual(expected.map((text) => `Warning: ${text}`))
    } else {
      const envelope = JSON.parse(run.stdout) as {warnings?: string[]}
      expect(envelope.warnings).toEqual(expected)
      expect(run.stderr).not.toContain('deprecated')
    }
  })
})

describe('one rule per unit: a bare number of a duration is seconds', () => {
  const durationFlags: [string, string, Command.Loadable][] = []
  for (const command of config.commands) {
    for (const [name, flag] of Object.entries(command.flags ?? {})) {
      if ((flag as {helpValue?: string}).helpValue === 'SECONDS|DURATION')
        durationFlags.push([command.id, name, command])
    }
  }

  it('finds the duration flags', () => {
    expect(durationFlags.map(([id, name]) => `${id} --${name}`)).toEqual(
      expect.arrayContaining(['probe:turn --timeout', 'probe:whip --duration', 'calls:emulate --inactivity']),
    )
  })

  it.each(durationFlags)('%s --%s 3 is 3 s', async (_id, name, command) => {
    const loaded = await command.load()
    const {flags} = await Parser.parse([`--${name}`, '3'], {flags: {[name]: loaded.flags[name] as Flag}, strict: false})
    expect(flags[name]).toBe(name === 'ttl' ? 3 : 3000)
  })
})
