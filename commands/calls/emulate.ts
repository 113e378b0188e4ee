import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {emulatePlanInput, emulatorAppFlagNames, listenFlag} from '../../src/cli/calls-flags.js'
import {durationFlag, settingFlags} from '../../src/cli/flags.js'
import {renderEmulatorPlan} from '../../src/cli/render/calls.js'

export default class CallsEmulate extends BaseCommand<typeof CallsEmulate> {
  static override summary = 'Run a local Cloudflare Calls API (SFU) with real WebRTC media, for offline development'
  static override description =
    'Implements the Calls HTTPS API (sessions, tracks/new, renegotiate, tracks/update, tracks/close, GET session, DataChannels) with werift peers: ICE-lite, BUNDLE, RTP forwarded between sessions with payload types and header extensions mapped, keyframe requests forwarded to publishers, the documented error codes, and 30 s garbage collection. It also serves the TURN credential API, minting credentials for a local TURN server when given its shared secret. Without --calls-app-secret-file a secret is generated and printed once at startup. Runs until Ctrl-C; with --json it prints one event per line.'
  static override examples = [
    {
      description: 'Start on 127.0.0.1:8787 with a generated app id and secret (printed at startup)',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description:
        'Serve a fixed app, and TURN credentials (key emu-key, its token in ./turn-token) for a local coturn (static-auth-secret)',
      command:
        '<%= config.bin %> <%= command.id %> --calls-app-id dev-app --calls-app-secret-file ./calls-secret --turn-url turn:127.0.0.1:3478?transport=udp --turn-secret-file ./coturn-secret --turn-key-id emu-key --turn-key-token-file ./turn-token',
    },
    {
      description: 'Then check it from another terminal',
      command:
        '<%= config.bin %> calls check --calls-api-base http://127.0.0.1:8787/v1 --calls-app-id dev-app --calls-app-secret-file ./calls-secret',
    },
    {
      description: 'Validate the configuration and the listen address without serving',
      command: '<%= config.bin %> <%= command.id %> --listen 127.0.0.1:0 --dry-run --json',
    },
  ]
  static override flags = {
    listen: listenFlag({
      summary: 'Address to serve the API on (port 0 picks one); use 0.0.0.0 only to reach it from other machines',
      default: {host: '127.0.0.1', port: 8787},
      defaultHelp: async () => '127.0.0.1:8787',
    }),
    'turn-url': Flags.string({
      summary: 'TURN URL of a local TURN server to hand out with the TURN credential API (repeatable)',
      multiple: true,
      helpValue: 'URL',
    }),
    'turn-secret-file': Flags.string({
      summary: "File holding that TURN server's shared secret (coturn static-auth-secret)",
      helpValue: 'FILE',
    }),
    'media-address': Flags.string({
      summary: 'Address to offer in ICE candidates (repeatable) [default: the listen host]',
      multiple: true,
      helpValue: 'IP',
    }),
    inactivity: durationFlag({
      summary: 'Media silence after which tracks and lost sessions are collected',
      default: 30_000,
      defaultHelp: async () => '30s',
    }),
    'dry-run': Flags.boolean({summary: 'Check the configuration and the listen address, print them, and exit'}),
    ...settingFlags(['calls.appId', 'calls.appSecret'], emulatorAppFlagNames),
    ...settingFlags(['turn.keyId', 'turn.keyToken']),
  }

  async run() {
    const {checkListenAddress, planCallsEmulator, serveCallsEmulator} = await import('../../src/sim/calls-sfu/serve.js')
    const plan = planCallsEmulator(await emulatePlanInput(this.flags, this.settings, this.redactor))
    if (this.flags['dry-run']) return this.done(await checkListenAddress(plan), renderEmulatorPlan)
    const verbose = this.flags.verbose
    await serveCallsEmulator(plan, (e) => (verbose || e.level !== 'debug') && this.logEvent(e), this.abort.signal)
    return undefined
  }
}
