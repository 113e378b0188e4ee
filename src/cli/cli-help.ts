/**
 * oclif's help, the same text, with less work on a cold start (test/cli/cold-start.test.ts checks the root,
 * every topic's and every command's help against stock oclif's):
 * - From the manifest for r58's own commands. Stock oclif imports a command's module before printing its help
 *   whenever one of its flags computes the default it shows (`defaultHelp` as a function: `--timeout` shows `3s`
 *   for 3000 ms), to compute that text again. r58's `defaultHelp` functions only format constants, so the text
 *   oclif stored when it built the manifest (or, without a manifest, when it cached the loaded command) is already
 *   the one it would compute: importing the command (chalk, the settings registry, the flag modules) would only
 *   make `r58 <command> --help` slower.
 * - Plain text is not run through ejs. oclif renders every string of help (each flag's name and summary) as an
 *   ejs template, and ejs compiles each one to a function: a third of the time a long help takes to render.
 *   Text with no ejs delimiter (they all contain `<%` or `%>`) renders as itself; examples keep ejs.
 *
 * From '@oclif/core/help', not the package's index: bin/run.js starts without the index (see there).
 */
import {CommandHelp, Help, type HelpFormatter} from '@oclif/core/help'

function renderPlainTextAsIs(formatter: HelpFormatter): void {
  const ejsRender = formatter.render
  formatter.render = (text) =>
    typeof text === 'string' && !text.includes('<%') && !text.includes('%>') ? text : ejsRender(text)
}

class CliCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    renderPlainTextAsIs(this)
  }
}

export default class CliHelp extends Help {
  protected override CommandHelpClass = CliCommandHelp

  constructor(...args: ConstructorParameters<typeof Help>) {
    super(...args)
    renderPlainTextAsIs(this)
  }

  override async showHelp(argv: string[]): Promise<void> {
    const own = this.config.commands.filter((command) => command.pluginName === this.config.name)
    const dynamic = own.filter((command) => command.hasDynamicHelp)
    for (const command of dynamic) command.hasDynamicHelp = false
    try {
      await super.showHelp(argv)
    } finally {
      // The cached commands belong to the shared Config (tests run many commands in one process).
      for (const command of dynamic) command.hasDynamicHelp = true
    }
  }
}
