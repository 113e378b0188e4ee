import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../src/cli/flags.js'
import {MEDIAMTX_FILE_FLAG} from '../src/cli/mediamtx-flags.js'
import {renderDiagnose} from '../src/cli/render/diagnose-report.js'
import {OPTION_IDS, type OptionId} from '../src/diagnose/options.js'

export default class Diagnose extends BaseCommand<typeof Diagnose> {
  static override summary =
    'Which way can a guest reach this MediaMTX — LAN, Tailscale, TURN, a forwarded UDP port or the Calls relay — and the fix for the rest'
  static override description =
    'Runs every check concurrently, each bounded, the whole within --timeout: a WHIP publish on the LAN and the candidates MediaMTX advertises; the tailnet (address, advertised, a publish over it); TURN on MediaMTX and a relay-only publish through TURN, which is what a remote guest behind NAT experiences; the public address (STUN), whether MediaMTX advertises it and whether a relay-only guest reaches the forwarded UDP port; the Calls credentials, the relay and a synthetic guest through it into MediaMTX; and the host (UDP buffers, Node.js, clock). A check stopped by Ctrl-C is "cancelled" (exit 130); one that runs out of its share of --timeout is "unknown" and decides nothing. Exit 0 when at least one option works for remote guests (or every --require option passes), 3 otherwise. --lab runs the same against a complete local stack, no accounts needed.'
  static override examples = [
    {
      description: 'Diagnose the MediaMTX on this box (defaults: WHIP :8889, API :9997)',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'The embedded lab: stand-in, Calls emulator, relay and coturn on loopback',
      command: '<%= config.bin %> <%= command.id %> --lab',
    },
    {
      description: 'In CI or over SSH: require the relay path to work, JSON for the log',
      command: '<%= config.bin %> <%= command.id %> --require calls --json',
    },
    {
      description: 'Test TURN as a remote guest would, with Cloudflare credentials',
      command:
        '<%= config.bin %> <%= command.id %> --turn-key-id $TURN_KEY_ID --turn-key-token-file /etc/r58/turn-token',
    },
  ]
  static override flags = {
    lab: Flags.boolean({
      summary:
        'Start a complete local stack (MediaMTX stand-in, Calls emulator, relay, coturn if installed) and diagnose it',
    }),
    'lab-turn': Flags.boolean({
      summary: 'In the lab, give the MediaMTX stand-in the lab coturn as its TURN server, so that option works too',
      dependsOn: ['lab'],
    }),
    require: Flags.option({
      options: OPTION_IDS,
      multiple: true,
      delimiter: ',',
      summary: 'Exit 0 only when all of these work (default: any option for remote guests)',
    })(),
    timeout: timeoutFlag(10_000, 'Bound for the whole diagnosis'),
    ...settingFlags(
      [
        'mediamtx.url',
        'mediamtx.apiUrl',
        'mediamtx.apiUser',
        'mediamtx.apiPassword',
        'mediamtx.token',
        'mediamtx.configPath',
        'probe.path',
        'calls.appId',
        'calls.appSecret',
        'calls.apiBase',
        'relay.url',
        'relay.adminUrl',
        'relay.token',
        'turn.urls',
        'turn.username',
        'turn.credential',
        'turn.keyId',
        'turn.keyToken',
        'turn.apiBase',
        'stun.urls',
      ],
      {'mediamtx.configPath': MEDIAMTX_FILE_FLAG},
    ),
  }

  async run() {
    const {diagnoseOptionsFrom} = await import('../src/diagnose/from-settings.js')
    const {runDiagnose} = await import('../src/diagnose/run.js')
    const progress = this.progress()
    const running = new Map<string, string>()
    const report = await runDiagnose(
      this.flags.lab ? {turnOnMediamtx: this.flags['lab-turn']} : false,
      () =>
        diagnoseOptionsFrom(
          this.settings,
          {timeoutMs: this.flags.timeout, input: this.settingFlagInput},
          this.abort.signal,
        ),
      {
        ...(this.flags.require && {require: this.flags.require as OptionId[]}),
        timeoutMs: this.flags.timeout,
        signal: this.abort.signal,
        onProgress: (e) => {
          if (e.state === 'start') running.set(e.id, e.title)
          else running.delete(e.id)
          if (running.size > 0) progress.update(`checking: ${[...running.values()].join(', ')}`)
          else progress.stop()
        },
      },
    )
    progress.stop()
    return this.done(report, renderDiagnose)
  }
}
