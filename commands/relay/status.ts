import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {renderRelayStatus} from '../../src/cli/render/relay-status.js'

export default class RelayStatus extends BaseCommand<typeof RelayStatus> {
  static override summary = 'Show the health and guest sessions of a running relay'
  static override description =
    'Reads /healthz and /status of an r58 relay. Local callers need no token; through the tunnel, give a relay token valid for every path.'
  static override examples = [
    {description: 'The relay on this box', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'A relay reached through its tunnel, as JSON',
      command:
        '<%= config.bin %> <%= command.id %> --relay-url https://relay.example.com --relay-token-file /etc/r58/relay-token --json',
    },
  ]
  static override flags = {
    timeout: timeoutFlag(3000),
    ...settingFlags(['relay.url', 'relay.token'], {'relay.url': {aliases: ['url']}}),
  }

  async run() {
    const {relayStatus} = await import('../../src/relay/status.js')
    const status = await relayStatus({
      url: this.settings.require('relay.url'),
      token: this.settings.get('relay.token'),
      timeoutMs: this.flags.timeout,
      signal: this.abort.signal,
    })
    return this.done(status, renderRelayStatus)
  }
}
