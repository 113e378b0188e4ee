import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags} from '../../src/cli/flags.js'
import {renderInitConfig} from '../../src/cli/render/config.js'
import {configPathOf} from '../../src/config/file.js'
import {initConfig, templateValuesFromFlags} from '../../src/config/init.js'
import {SETTING_KEYS} from '../../src/config/settings.js'
import {renderConfigTemplate} from '../../src/config/template.js'

export default class ConfigInit extends BaseCommand<typeof ConfigInit> {
  static override summary = 'Write a commented config file (mode 0600), optionally with values filled in'
  static override description =
    'Writes to --config, else $R58_CONFIG, else $XDG_CONFIG_HOME/r58/config.yaml. Refuses to replace an existing file unless --force is given; then the old file is kept as a timestamped backup. Setting flags given here are written uncommented; secrets given with --*-file are written as file references.'
  static override examples = [
    {description: 'Write the template to the default place', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Provision a box over SSH without an editor',
      command:
        '<%= config.bin %> <%= command.id %> --calls-app-id 0123456789abcdef0123456789abcdef --calls-app-secret-file /etc/r58/calls-secret --mediamtx-api-url http://127.0.0.1:9997',
    },
    {description: 'Print the template instead of writing it', command: '<%= config.bin %> <%= command.id %> --print'},
  ]
  static override readsConfigFile = false
  static override flags = {
    force: Flags.boolean({summary: 'Replace an existing file (the old one is kept as a .bak)'}),
    print: Flags.boolean({summary: 'Print the template to stdout and write nothing'}),
    ...settingFlags(SETTING_KEYS),
  }

  async run() {
    const given = templateValuesFromFlags(this.settingFlagInput)
    if (this.flags.print) return this.done({template: renderConfigTemplate(given)}, (r) => r.template.trimEnd())
    const {path} = configPathOf(this.flags.config, process.env)
    return this.done(await initConfig({path, force: this.flags.force, given}), renderInitConfig)
  }
}
