import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {renderRelayStatus} from '../../src/cli/render/relay-status.js'

export default class RelayStatus extends BaseCommand<typeof RelayStatus> {
  static override summary = 'Show the health and guest sessions of a running relay'
  static override description =
    "Reads /healthz and /status from the relay's operator listener (its --admin-listen: 127.0.0.1:8891 by default, or a Unix socket). Operator endpoints are never served through the tunnel; run this on the box."
  static override examples = [
    {description: 'The relay on this box', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'A relay whose operator listener is a Unix socket, as JSON',
      command: '<%= config.bin %> <%= command.id %> --relay-admin-url unix:/run/r58/relay-admin.sock --json',
    },
  ]
  static override flags = {
    timeout: timeoutFlag(3000),
    ...settingFlags(['relay.adminUrl'], {'relay.adminUrl': {aliases: ['url']}}),
  }

  async run() {
    const {relayStatus} = await import('../../src/relay/status.js')
    const status = await relayStatus({
      url: this.settings.require('relay.adminUrl'),
      timeoutMs: this.flags.timeout,
      signal: this.abort.signal,
    })
    return this.done(status, renderRelayStatus)
  }
}
