import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {durationFlag, settingFlags} from '../../src/cli/flags.js'
import {mediamtxFlags, turnRefreshOptionsOf} from '../../src/cli/mediamtx-flags.js'
import {renderTurnRefresh} from '../../src/cli/render/mediamtx.js'
import {ttlFlag} from '../../src/cli/turn-flags.js'

export default class MediamtxTurnRefresh extends BaseCommand<typeof MediamtxTurnRefresh> {
  static override summary = 'Keep short-lived Cloudflare TURN credentials in MediaMTX fresh (once, or every --every)'
  static override description =
    "Mints TURN credentials and writes them into mediamtx.yml (--file, same safe write as `configure --write`) or into the running server (--api, PATCH). Changing ICE servers restarts MediaMTX's WebRTC server and drops its sessions, so while sessions are active (counted through --mediamtx-api-url) the refresh is deferred unless the current credentials expire within --margin. One-shot by default, for cron or a systemd timer (see examples/systemd/); with --every it loops until stopped and prints one event per line (NDJSON under --json)."
  static override examples = [
    {
      description: 'Refresh the file once (from a systemd timer)',
      command:
        '<%= config.bin %> <%= command.id %> --cloudflare-turn --turn-key-id $TURN_KEY_ID --turn-key-token-file /etc/r58/turn-token -f /etc/mediamtx/mediamtx.yml --mediamtx-api-url http://127.0.0.1:9997',
    },
    {
      description: 'Keep the running server fresh, every 12 hours, with 48-hour credentials',
      command:
        '<%= config.bin %> <%= command.id %> --cloudflare-turn --every 12h --ttl 48h --mediamtx-api-url http://127.0.0.1:9997 --json',
    },
  ]
  static override flags = {
    ...mediamtxFlags(),
    'cloudflare-turn': Flags.boolean({summary: 'Mint the credentials with the Cloudflare TURN API', required: true}),
    ...settingFlags(['turn.keyId', 'turn.keyToken', 'turn.apiBase']),
    ttl: ttlFlag({summary: 'Credential lifetime (max 48h)', default: 172800}),
    every: durationFlag({summary: 'Loop: refresh this often until stopped (one-shot otherwise)'}),
    margin: durationFlag({
      summary: 'Refresh despite active sessions when the credentials expire within this [default: half the TTL]',
    }),
    force: Flags.boolean({summary: 'Refresh even while WebRTC sessions are active (they are dropped)'}),
    'client-only': Flags.boolean({summary: 'Give the TURN servers to clients only (v1.7.0+)'}),
    'state-file': Flags.string({
      helpValue: 'FILE',
      summary: 'Where to remember the expiry [default: next to the file]',
    }),
    backup: Flags.boolean({summary: 'Keep a timestamped backup of the file on each refresh'}),
  }

  async run() {
    const {refreshTurn, runTurnRefreshLoop} = await import('../../src/mediamtx/turn-refresh.js')
    const options = turnRefreshOptionsOf(this.flags, this.settings, this.abort.signal)
    if (this.flags.every === undefined) return this.done(await refreshTurn(options), renderTurnRefresh)
    return runTurnRefreshLoop({...options, everyMs: this.flags.every, log: (event) => this.logEvent(event)})
  }
}
