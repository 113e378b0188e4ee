import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {renderRevoke} from '../../src/cli/render/turn-credentials.js'
import {turnKeyFlagNames} from '../../src/cli/turn-flags.js'

export default class TurnRevoke extends BaseCommand<typeof TurnRevoke> {
  static override summary = 'Revoke a Cloudflare TURN credential by user name'
  static override examples = [
    {
      description: 'Revoke a credential minted earlier by `r58 turn credentials`',
      command:
        '<%= config.bin %> <%= command.id %> bc91b63e2c5f --turn-key-id $TURN_KEY_ID --turn-key-token-file /etc/r58/turn-token',
    },
  ]
  static override args = {
    username: Args.string({
      description: 'The user name of the credential (printed by `r58 turn credentials`)',
      required: true,
    }),
  }
  static override flags = {
    timeout: timeoutFlag(5000, 'Deadline for the API request'),
    ...settingFlags(['turn.keyId', 'turn.keyToken', 'turn.apiBase'], turnKeyFlagNames),
  }

  async run() {
    const {revokeCloudflareTurnCredential} = await import('../../src/turn/cloudflare-credentials.js')
    const result = await revokeCloudflareTurnCredential({
      keyId: this.settings.require('turn.keyId'),
      token: this.settings.require('turn.keyToken'),
      apiBase: this.settings.require('turn.apiBase'),
      username: this.args.username,
      timeoutMs: this.flags.timeout,
      signal: this.abort.signal,
    })
    return this.done(result, renderRevoke)
  }
}
