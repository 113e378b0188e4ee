import {BaseCommand} from '../../src/cli/base-command.js'
import {relayPlanInput, relayStartFlags} from '../../src/cli/relay-flags.js'
import {renderRelayPlan} from '../../src/cli/render/relay-start.js'

export default class RelayStart extends BaseCommand<typeof RelayStart> {
  static override summary = 'Run the WHIP relay: guests publish to Cloudflare Calls, the relay pulls them into MediaMTX'
  static override description =
    'Guests POST their WHIP offer to /whip/<path> (or open /join/<path>?token=…); their media goes to Cloudflare Calls, which is reachable from anywhere. The relay pulls the tracks into its own Calls session (outbound only from this box) and publishes them into MediaMTX with WHIP, without transcoding. Operator endpoints (/status, /relay/pull, /healthz, /metrics) are served only on --admin-listen (loopback or a Unix socket), never to guests. Runs until SIGTERM or Ctrl-C, then deletes every MediaMTX session and closes every Calls track. Logs one event per line (NDJSON with --json).'
  static override examples = [
    {
      description: 'On the studio box, with the settings in /etc/r58/config.yaml',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Everything on the command line, secrets from files',
      command:
        '<%= config.bin %> <%= command.id %> --relay-listen 127.0.0.1:8890 --mediamtx-url http://127.0.0.1:8889 --calls-app-id $CALLS_APP_ID --calls-app-secret-file /etc/r58/calls-secret --relay-tokens-file /etc/r58/relay-tokens --relay-allow-origins https://studio.example.com',
    },
    {
      description:
        'Behind Cloudflare Tunnel: guest addresses from CF-Connecting-IP, operator endpoints on a Unix socket',
      command: '<%= config.bin %> <%= command.id %> --trust-proxy cloudflare --admin-listen /run/r58/relay-admin.sock',
    },
    {
      description: 'Against the local Calls emulator, as NDJSON for a log collector',
      command:
        '<%= config.bin %> <%= command.id %> --calls-api-base http://127.0.0.1:8787/v1 --calls-app-id dev-app --calls-app-secret-file ./calls-secret --relay-token-file ./relay-token --stun-urls "" --json',
    },
    {
      description:
        "whep mode: MediaMTX pulls each guest straight from Calls (the relay adds a path per guest through MediaMTX's API and carries no media)",
      command:
        '<%= config.bin %> <%= command.id %> --mode whep --mediamtx-api-url http://127.0.0.1:9997 --calls-app-id $CALLS_APP_ID --calls-app-secret-file /etc/r58/calls-secret --relay-tokens-file /etc/r58/relay-tokens',
    },
    {
      description: 'Check the configuration without serving',
      command: '<%= config.bin %> <%= command.id %> --dry-run',
    },
  ]
  static override flags = relayStartFlags

  async run() {
    const {checkRelayPlan, planRelay, serveRelay} = await import('../../src/relay/start.js')
    const resolved = await planRelay(relayPlanInput(this.settings, this.flags['insecure-no-auth']))
    for (const secret of resolved.secrets) this.redactor.add(secret)
    if (this.flags['dry-run']) return this.done(await checkRelayPlan(resolved), renderRelayPlan)
    const verbose = this.flags.verbose
    await serveRelay(resolved, (e) => (verbose || e.level !== 'debug') && this.logEvent(e), this.abort.signal)
    return undefined
  }
}
