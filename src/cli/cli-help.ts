/**
 * oclif's help, rendered from the manifest for r58's own commands. Stock oclif imports a command's module
 * before printing its help whenever one of its flags computes the default it shows (`defaultHelp` as a
 * function: `--timeout` shows `3s` for 3000 ms), to compute that text again. r58's `defaultHelp` functions
 * only format constants, so the text oclif stored when it built the manifest (or, without a manifest, when it
 * cached the loaded command) is already the one it would compute: importing the command (chalk, the settings
 * registry, the flag modules) would only make `r58 <command> --help` slower. test/cli/cold-start.test.ts checks
 * that every command's help is the same as stock oclif's.
 *
 * From '@oclif/core/help', not the package's index: bin/run.js starts without the index (see there).
 */
import {Help} from '@oclif/core/help'

export default class CliHelp extends Help {
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
