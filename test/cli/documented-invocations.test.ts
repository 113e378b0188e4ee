/**
 * Every `r58 …` line we show people parses: help examples, the README's code blocks, and the files in
 * examples/. A renamed or removed flag then fails here instead of in a user's CI job or systemd unit.
 * Parsing only (oclif's own parser with each command's flags and args); nothing runs.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {type Command, Config, Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../support/cli.js'

const config = await Config.load({root: ROOT})

interface Invocation {
  source: string
  line: string
}

/** Shell-ish words: quotes group, `<placeholder words>` stay one word, a comment or redirection ends the command. */
function commandWords(line: string): string[] {
  const words: string[] = []
  let word = ''
  let quote: string | undefined
  let inWord = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (quote) {
      if (ch === quote) quote = undefined
      else word += ch
      continue
    }
    if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
      continue
    }
    if (ch === '<' && !inWord) {
      const end = line.indexOf('>', i)
      if (end > 0) {
        words.push(line.slice(i, end + 1))
        i = end
        continue
      }
    }
    if (/[\s]/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      continue
    }
    if (!inWord && '#>|&;'.includes(ch)) break
    if (inWord && ('|;'.includes(ch) || (ch === '>' && !word.includes('<')))) break
    word += ch
    inWord = true
  }
  if (inWord) words.push(word)
  return words
}

/**
 * Logical lines (backslash continuations joined, comments skipped) where `r58` starts a command: at the line
 * start, after a prompt, systemd's `ExecStart=`, `do`, `;`, `&&`, `|` or a label such as `turn fix:`.
 */
function invocationsIn(source: string, text: string): Invocation[] {
  const joined = text.replace(/\\\r?\n\s*/g, ' ')
  const found: Invocation[] = []
  for (const raw of joined.split('\n')) {
    if (/^\s*(#|\/\/|\*|\/\*)/.test(raw)) continue
    const match = /(?:^\s*|^\s*\$\s+|^Exec\w*=(?:\S*\/)?(?:env )?|\bdo\s+|[;&|(]\s*|:\s+)r58 (?=[a-z-])/.exec(raw)
    if (!match) continue
    found.push({source, line: raw.slice(match.index + match[0].length).trim()})
  }
  return found
}

/** The README's fenced code blocks, before the generated command reference (help examples cover that). */
function readmeBlocks(): Invocation[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('<!-- commands -->')[0] as string
  const blocks: string[] = []
  let block: string[] | undefined
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) {
      if (block) blocks.push(block.join('\n'))
      block = block ? undefined : []
    } else block?.push(line)
  }
  return blocks.flatMap((text) => invocationsIn('README.md', text))
}

function exampleFiles(dir = join(ROOT, 'examples')): Invocation[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return exampleFiles(path)
    return invocationsIn(relative(ROOT, path), readFileSync(path, 'utf8'))
  })
}

function helpExamples(): Invocation[] {
  return config.commands.flatMap((command) =>
    (command.examples ?? []).flatMap((example) => {
      const text = (typeof example === 'string' ? example : example.command)
        .replaceAll('<%= config.bin %>', 'r58')
        .replaceAll('<%= command.id %>', command.id.replaceAll(':', ' '))
      return invocationsIn(`r58 ${command.id.replaceAll(':', ' ')} --help`, text)
    }),
  )
}

/** The longest run of leading words naming a command, and the argv after it. */
function resolveCommand(words: string[]): {command: Command.Loadable; argv: string[]} | undefined {
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const command = config.findCommand(words.slice(0, n).join(':'))
    if (command) return {command, argv: words.slice(n)}
  }
  return undefined
}

const INVOCATIONS = [...helpExamples(), ...readmeBlocks(), ...exampleFiles()].filter(
  // `r58 --help` and the like name no command
  (invocation) => !invocation.line.startsWith('-'),
)

describe('documented invocations', () => {
  it('finds invocations in every source', () => {
    const sources = new Set(INVOCATIONS.map((i) => i.source.split(' ')[0]))
    expect(sources).toContain('README.md')
    expect(sources).toContain('examples/relay/ci-relay.yml')
    expect(sources).toContain('examples/relay/r58-relay.service')
    expect(sources).toContain('examples/systemd/r58-turn-refresh.service')
    expect(INVOCATIONS.filter((i) => i.source.endsWith('--help')).length).toBeGreaterThan(30)
  })

  it.each(INVOCATIONS)('$source: r58 $line', async ({line}) => {
    const words = commandWords(line)
    const resolved = resolveCommand(words)
    expect(resolved, `no command named by "${words.slice(0, 3).join(' ')}"`).toBeDefined()
    const {command, argv} = resolved as NonNullable<typeof resolved>
    const loaded = await command.load()
    const json = loaded.enableJsonFlag ? {json: Flags.boolean()} : {}
    const flags = {...json, ...loaded.baseFlags, ...loaded.flags}
    const parsed = await Parser.parse(argv, {flags, args: loaded.args, strict: loaded.strict ?? true}).catch(
      (error: Error & {exitCode?: number}) => {
        // A flag whose parser reads a file (--ca lan-ca.pem) names a file that exists on the user's machine only.
        if (error.exitCode === 6 && /cannot read/.test(error.message)) return {flags: {}}
        throw error
      },
    )
    expect(parsed.flags).toBeDefined()
    // Documentation uses each setting's one name, never a deprecated alias.
    const aliases = new Set(Object.values(flags).flatMap((flag) => (flag as {aliases?: string[]}).aliases ?? []))
    const old = argv.filter((word) => word.startsWith('--') && aliases.has(word.slice(2).split('=')[0] as string))
    expect(old, 'deprecated flag names').toEqual([])
  })
})

describe('commandWords', () => {
  it.each([
    ['relay status --json > /dev/null 2>&1 && break', ['relay', 'status', '--json']],
    [
      'relay pull --session <calls session id> --track cam',
      ['relay', 'pull', '--session', '<calls session id>', '--track', 'cam'],
    ],
    ['probe stun "stun:a:1" # comment', ['probe', 'stun', 'stun:a:1']],
    ['start --stun-urls "" --json &', ['start', '--stun-urls', '', '--json']],
    ['probe whip http://h/cam/whip --json | jq .result', ['probe', 'whip', 'http://h/cam/whip', '--json']],
  ])('%s', (line, words) => {
    expect(commandWords(line)).toEqual(words)
  })
})
