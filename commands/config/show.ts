import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags} from '../../src/cli/flags.js'
import {renderEffectiveConfig} from '../../src/cli/render/config.js'
import {effectiveConfig} from '../../src/config/effective.js'
import {SETTING_KEYS} from '../../src/config/settings.js'

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Print the effective configuration, where each value came from, secrets redacted'
  static override description =
    'Every setting resolved the way every command resolves it: flag > R58_* environment variable > config file > default. Any setting flag may be given to see how it would combine.'
  static override examples = [
    {description: 'Show the effective configuration', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Show it as JSON, for a script',
      command:
        '<%= config.bin %> <%= command.id %> --json | jq ".result.settings[] | select(.source != \\"default\\")"',
    },
    {
      description: 'Check which value wins when a flag is given too',
      command: 'R58_RELAY_LISTEN=0.0.0.0:8890 <%= config.bin %> <%= command.id %> --relay-listen 127.0.0.1:9000',
    },
  ]
  static override flags = settingFlags(SETTING_KEYS)

  async run() {
    return this.done(effectiveConfig(this.settings), renderEffectiveConfig)
  }
}
