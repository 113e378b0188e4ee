import {BaseCommand} from '../../src/cli/base-command.js'
import {checkOptionsOf, mediamtxFlags} from '../../src/cli/mediamtx-flags.js'
import {renderMediamtxCheck} from '../../src/cli/render/mediamtx.js'

export default class MediamtxCheck extends BaseCommand<typeof MediamtxCheck> {
  static override summary = 'Check whether remote WebRTC guests can reach MediaMTX, from its file or its live API'
  static override description =
    'Version-aware report: the candidates MediaMTX will advertise (interface addresses × UDP/TCP mux port, additional hosts, STUN/TURN), whether its STUN/TURN servers are clientOnly, deprecated keys and their replacements, keys the version does not know (MediaMTX refuses to start with them, and shuts down on hot reload), MTX_* variables that override the file, and the control API (reachable, credentials, live config vs file). Each finding comes with a fix. The path of mediamtx.yml is --file (-f); --config stays the r58 config file.'
  static override examples = [
    {
      description: 'Check a config file',
      command: '<%= config.bin %> <%= command.id %> --file /etc/mediamtx/mediamtx.yml',
    },
    {
      description: 'Check the file and the running server (version, sessions, drift)',
      command:
        '<%= config.bin %> <%= command.id %> -f /etc/mediamtx/mediamtx.yml --mediamtx-api-url http://127.0.0.1:9997',
    },
    {
      description: 'Check only the live config, as JSON',
      command:
        '<%= config.bin %> <%= command.id %> --mediamtx-api-url http://127.0.0.1:9997 --mediamtx-api-user r58 --mediamtx-api-password-file /etc/r58/mtx-pass --json',
    },
  ]
  static override flags = mediamtxFlags()

  async run() {
    const {mediamtxCheck} = await import('../../src/mediamtx/mediamtx-check.js')
    return this.done(
      await mediamtxCheck(checkOptionsOf(this.flags, this.settings, this.abort.signal)),
      renderMediamtxCheck,
    )
  }
}
