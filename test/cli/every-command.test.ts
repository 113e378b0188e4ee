/**
 * Command-wide guarantees: every command has help with examples, a JSON schema its results satisfy, and
 * prints no planted secret in any mode, on success or on error.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Config} from '@oclif/core'
import {Ajv} from 'ajv'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, runR58} from '../support/cli.js'
import {COMMAND_CASES} from './command-cases.js'
import {createWorld, type World} from './world.js'

const config = await Config.load({root: ROOT})
const ours = config.commands.filter((command) => command.pluginName === 'r58')
const ajv = new Ajv({strict: false, allErrors: true})
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)))
ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'schemas/check.schema.json'), 'utf8')))
const validateEnvelope = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/envelope.schema.json'), 'utf8')))
// check.schema.json is shared by the reports; every other file is one command's result.
const schemaPath = (id: string) => join(ROOT, 'schemas', `${id.replaceAll(':', '-')}.schema.json`)

let world: World
beforeAll(async () => {
  world = await createWorld()
})
afterAll(() => world.close())

it('finds the commands', () => {
  expect(ours.map((c) => c.id)).toEqual(expect.arrayContaining(['config:show', 'turn:credentials']))
})

describe.each(ours.map((c) => [c.id, c] as const))('%s', (id, command) => {
  it('has a summary and at least one example', () => {
    expect(command.summary ?? command.description).toBeTruthy()
    expect(command.examples?.length ?? 0).toBeGreaterThan(0)
  })

  it('has a test case entry and a result schema', () => {
    expect(COMMAND_CASES[id], `add ${id} to test/cli/command-cases.ts`).toBeDefined()
    expect(existsSync(schemaPath(id)), `add ${schemaPath(id)}`).toBe(true)
  })

  it('succeeds with results that match its schema', async () => {
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath(id), 'utf8')))
    for (const argv of COMMAND_CASES[id]?.(world).ok ?? []) {
      const out = await runR58([...argv, '--json'], {env: world.env})
      expect(out.exitCode, `${argv.join(' ')}: ${out.stdout}`).toBe(0)
      const envelope = JSON.parse(out.stdout)
      expect(validateEnvelope(envelope), JSON.stringify(validateEnvelope.errors)).toBe(true)
      expect(validate(envelope.result), `${argv.join(' ')}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
  })

  it('never prints a planted secret, in human or JSON mode, on success or error', async () => {
    const entry = COMMAND_CASES[id]?.(world)
    const runs = [...(entry?.ok ?? []), ...(entry?.more ?? [])]
    for (const argv of runs) {
      for (const mode of [[], ['--json'], ['--verbose']]) {
        const out = await runR58([...argv, ...mode], {env: world.env})
        for (const [key, secret] of world.secrets) {
          expect(
            `${out.stdout}\n${out.stderr}`,
            `${key} leaked by r58 ${argv.join(' ')} ${mode.join(' ')}`,
          ).not.toContain(secret)
        }
      }
    }
  })
})
