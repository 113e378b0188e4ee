import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {renderCredentials} from '../../src/cli/render/turn-credentials.js'
import {ttlFlag, turnKeyFlagNames} from '../../src/cli/turn-flags.js'

export default class TurnCredentials extends BaseCommand<typeof TurnCredentials> {
  static override summary = 'Mint short-lived Cloudflare TURN credentials, as iceServers JSON or MediaMTX YAML'
  static override description =
    'Calls the Cloudflare TURN API (generate-ice-servers, or the legacy generate endpoint) with a TURN key id and its API token. Port-53 URLs are dropped unless --include-port-53: browsers block them and, without trickle ICE, a dead URL costs a full timeout. Credentials are redacted unless --show-secrets.'
  static override examples = [
    {
      description: 'Credentials for a browser, valid 24 hours',
      command:
        '<%= config.bin %> <%= command.id %> --turn-key-id $TURN_KEY_ID --turn-key-token-file /etc/r58/turn-token --show-secrets',
    },
    {
      description: 'The same as webrtcICEServers2 entries for mediamtx.yml',
      command: '<%= config.bin %> <%= command.id %> --format mediamtx --ttl 48h --show-secrets',
    },
    {
      description:
        'Against the local emulator, started as in `r58 calls emulate --help` (key emu-key, its token in ./turn-token)',
      command:
        '<%= config.bin %> <%= command.id %> --turn-api-base http://127.0.0.1:8787/v1 --turn-key-id emu-key --turn-key-token-file ./turn-token --json',
    },
  ]
  static override flags = {
    ttl: ttlFlag({summary: 'Credential lifetime: seconds, or a duration such as 12h (max 48h)', default: 86400}),
    format: Flags.option({
      options: ['browser', 'mediamtx'] as const,
      default: 'browser',
      summary: 'Human output format',
    })(),
    legacy: Flags.boolean({summary: 'Use the legacy credentials/generate endpoint'}),
    'include-port-53': Flags.boolean({summary: 'Keep port-53 URLs'}),
    'show-secrets': Flags.boolean({summary: 'Print the credentials (they are redacted otherwise)'}),
    timeout: timeoutFlag(5000, 'Deadline for the API request'),
    ...settingFlags(['turn.keyId', 'turn.keyToken', 'turn.apiBase'], turnKeyFlagNames),
  }

  async run() {
    const {toMediamtxIceServers} = await import('../../src/mediamtx/ice-servers.js')
    const {fetchCloudflareIceServers} = await import('../../src/turn/cloudflare-credentials.js')
    const credentials = await fetchCloudflareIceServers({
      keyId: this.settings.require('turn.keyId'),
      token: this.settings.require('turn.keyToken'),
      apiBase: this.settings.require('turn.apiBase'),
      ttlSeconds: this.flags.ttl,
      legacy: this.flags.legacy,
      includePort53: this.flags['include-port-53'],
      timeoutMs: this.flags.timeout,
      signal: this.abort.signal,
    })
    if (!this.flags['show-secrets']) for (const s of credentials.iceServers) this.redactor.add(s.credential)
    const view = {...credentials, mediamtx: toMediamtxIceServers(credentials.iceServers)}
    return this.done(view, (v, style) => renderCredentials(v, style, this.flags.format, this.flags['show-secrets']))
  }
}
