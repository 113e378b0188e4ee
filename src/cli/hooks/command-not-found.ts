/**
 * `r58 diagnos` → "Did you mean `r58 diagnose`?", exit 2 like any usage error. Not @oclif/plugin-not-found: the
 * release for @oclif/core 4 (3.x) shows its suggestion only inside an interactive prompt, so pipes, CI logs and
 * --json never saw it, and its 4.x needs @oclif/core 5 and Node 22.
 */
import type {Hook} from '@oclif/core'
import {EXIT} from '../../errors.js'
import {closest} from '../../util/closest.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const {config} = options
  const typed = options.id.split(':').join(' ')
  const candidates = [
    ...config.commands.filter((command) => !command.hidden).map((command) => command.id),
    ...config.topics.map((topic) => topic.name),
  ]
  const guess = closest(options.id, candidates)
  const message = `\`${typed}\` is not an ${config.bin} command`
  const hint =
    guess === undefined
      ? `See \`${config.bin} --help\` for the commands.`
      : `Did you mean \`${config.bin} ${guess.split(':').join(' ')}\`?`
  if (options.argv?.includes('--json')) {
    const now = new Date().toISOString()
    const envelope = {
      schemaVersion: 1,
      command: typed,
      ok: false,
      exitCode: EXIT.usage,
      startedAt: now,
      finishedAt: now,
    }
    process.stdout.write(
      `${JSON.stringify({...envelope, durationMs: 0, error: {code: 'E_USAGE', message, hint}}, null, 2)}\n`,
    )
  } else {
    process.stderr.write(`Error: ${message}. ${hint}\n`)
  }
  this.exit(EXIT.usage)
}

export default hook
