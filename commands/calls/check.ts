import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {renderCallsCheck} from '../../src/cli/render/calls.js'

export default class CallsCheck extends BaseCommand<typeof CallsCheck> {
  static override summary = 'Check a Cloudflare Calls app id and secret end to end: session, push, pull, RTP, close'
  static override description =
    'Creates a session, pushes a short synthetic VP8 track from a werift peer, pulls it into a second session, confirms that RTP arrives (with latency), and closes the tracks. Each step is timed. Exit 5 when the secret or app id is rejected, 4 when the API or the SFU cannot be reached, 3 when media does not arrive. Works against Cloudflare or `r58 calls emulate`.'
  static override examples = [
    {
      description: 'Check the app configured in the config file or R58_CALLS_* variables',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Check an app id with its secret in a file',
      command:
        '<%= config.bin %> <%= command.id %> --calls-app-id 0123456789abcdef0123456789abcdef --calls-app-secret-file /etc/r58/calls-secret',
    },
    {
      description: 'Against the local emulator, started as in `r58 calls emulate --help` (app dev-app, ./calls-secret)',
      command:
        '<%= config.bin %> <%= command.id %> --calls-api-base http://127.0.0.1:8787/v1 --calls-app-id dev-app --calls-app-secret-file ./calls-secret --json',
    },
  ]
  static override flags = {
    timeout: timeoutFlag(10_000, 'Deadline for each step (request, connection, first media)'),
    ...settingFlags(['calls.appId', 'calls.appSecret', 'calls.apiBase']),
  }

  async run() {
    const {runCallsCheck} = await import('../../src/calls/calls-check.js')
    const report = await runCallsCheck({
      appId: this.settings.require('calls.appId'),
      appSecret: this.settings.require('calls.appSecret'),
      apiBase: this.settings.require('calls.apiBase'),
      timeoutMs: this.flags.timeout,
      signal: this.abort.signal,
    })
    return this.done(report, renderCallsCheck)
  }
}
