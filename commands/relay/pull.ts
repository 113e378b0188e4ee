import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'

export default class RelayPull extends BaseCommand<typeof RelayPull> {
  static override summary = 'Have a running relay pull tracks already published to Calls into a MediaMTX path'
  static override description =
    "For guests that another application already publishes to Cloudflare Calls: the relay pulls the named tracks of that Calls session and republishes them into MediaMTX, as it does for its own guests. Talks to the relay's operator listener (--relay-admin-url, default http://127.0.0.1:8891); a path that already has a publisher is refused unless the relay runs with --on-conflict takeover."
  static override examples = [
    {
      description: 'Pull the camera and microphone of a Calls session into the path "panel-1"',
      command:
        '<%= config.bin %> <%= command.id %> --session 2a45361d5fd7cc14eface0587c276c94 --track cam --track mic --path panel-1',
    },
  ]
  static override flags = {
    session: Flags.string({summary: 'The Calls session id that publishes the tracks', required: true, helpValue: 'ID'}),
    track: Flags.string({
      summary: 'A track name in that session (one or two)',
      required: true,
      multiple: true,
      helpValue: 'NAME',
    }),
    path: Flags.string({summary: 'MediaMTX path to publish into', required: true, helpValue: 'PATH'}),
    timeout: timeoutFlag(5000),
    ...settingFlags(['relay.adminUrl'], {'relay.adminUrl': {aliases: ['url']}}),
  }

  async run() {
    const {requestRelayPull} = await import('../../src/relay/pull-client.js')
    const result = await requestRelayPull({
      url: this.settings.require('relay.adminUrl'),
      sessionId: this.flags.session,
      trackNames: this.flags.track,
      path: this.flags.path,
      timeoutMs: this.flags.timeout,
      signal: this.abort.signal,
    })
    return this.done(result, (r, style) => `${style.glyph('pass')} relay session ${r.id} pulls into ${r.path}`)
  }
}
