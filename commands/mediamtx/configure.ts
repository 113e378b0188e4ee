import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags} from '../../src/cli/flags.js'
import {configureRequestOf, mediamtxFlags, turnFlagNames} from '../../src/cli/mediamtx-flags.js'
import {renderConfigure} from '../../src/cli/render/mediamtx.js'
import {ttlFlag} from '../../src/cli/turn-flags.js'

export default class MediamtxConfigure extends BaseCommand<typeof MediamtxConfigure> {
  static override summary = 'Edit mediamtx.yml (or the live config) so remote WebRTC guests can reach MediaMTX'
  static override description =
    'Dry run by default: prints a unified diff. --write replaces the file atomically (same owner, group and mode, symlink target edited, a backup under a new name readable by the owner only; a read-only file needs --force), refusing when it changed since it was read and waiting for other r58 writers. --apply PATCHes only the changed keys into the running server; since any WebRTC change restarts its WebRTC server, it needs --force while sessions are active. Every byte outside the edited keys stays as it was (comments, quoting, yes/no), keys are written under the names the MediaMTX version knows (from --mediamtx-version, --api, or inferred from the file), and nothing MediaMTX would reject is ever written. Running the same command twice changes nothing the second time. TURN passwords are redacted in the output unless --show-secrets.'
  static override examples = [
    {
      description: "Advertise this host's Tailscale address (dry run: shows the diff)",
      command: '<%= config.bin %> <%= command.id %> --file /etc/mediamtx/mediamtx.yml --tailscale',
    },
    {
      description: 'Add a public IP and open ICE over TCP, and write the file',
      command:
        '<%= config.bin %> <%= command.id %> -f /etc/mediamtx/mediamtx.yml --add-host 203.0.113.7 --tcp-address :8189 --write',
    },
    {
      description: 'Hand Cloudflare TURN to clients only (MediaMTX v1.7.0+)',
      command:
        '<%= config.bin %> <%= command.id %> -f /etc/mediamtx/mediamtx.yml --cloudflare-turn --turn-key-id $TURN_KEY_ID --turn-key-token-file /etc/r58/turn-token --client-only --write',
    },
    {
      description: 'Move a pre-v1.3.0 config to the current keys after upgrading MediaMTX',
      command:
        '<%= config.bin %> <%= command.id %> -f mediamtx.yml --mediamtx-version v1.20.1 --migrate-deprecated --write',
    },
    {
      description: 'Change the running server only',
      command:
        '<%= config.bin %> <%= command.id %> --mediamtx-api-url http://127.0.0.1:9997 --add-host 100.64.0.5 --apply',
    },
  ]
  static override flags = {
    ...mediamtxFlags(),
    'add-host': Flags.string({
      multiple: true,
      helpValue: 'IP|HOST',
      summary: 'Advertise this address (webrtcAdditionalHosts)',
    }),
    tailscale: Flags.boolean({summary: "Advertise this host's Tailscale 100.x address"}),
    turn: Flags.string({
      multiple: true,
      helpValue: 'URL',
      summary: 'Add or update a TURN/STUN server (turn:host:port?transport=udp)',
      exclusive: ['cloudflare-turn'],
    }),
    ...settingFlags(['turn.username', 'turn.credential'], turnFlagNames),
    'cloudflare-turn': Flags.boolean({
      summary: 'Add fresh Cloudflare TURN credentials (keep them fresh with `mediamtx turn-refresh`)',
    }),
    ...settingFlags(['turn.keyId', 'turn.keyToken', 'turn.apiBase']),
    ttl: ttlFlag({summary: 'Lifetime of --cloudflare-turn credentials (max 48h)', default: 172800}),
    'client-only': Flags.boolean({
      summary: 'Give the TURN servers to clients only; MediaMTX does not relay through them (v1.7.0+)',
    }),
    'remove-ice-server': Flags.string({multiple: true, helpValue: 'URL', summary: 'Remove a STUN/TURN server'}),
    'tcp-address': Flags.string({
      helpValue: '[HOST]:PORT',
      summary: "ICE over TCP listener, e.g. :8189 ('' turns it off)",
    }),
    'udp-address': Flags.string({
      helpValue: '[HOST]:PORT',
      summary: "ICE over UDP listener, e.g. :8189 ('' turns it off)",
    }),
    'migrate-deprecated': Flags.boolean({summary: 'Rename deprecated keys where the version has their replacement'}),
    'add-path': Flags.string({multiple: true, helpValue: 'NAME', summary: 'Add a path that accepts publishers'}),
    write: Flags.boolean({summary: 'Write the file (dry run otherwise)'}),
    apply: Flags.boolean({summary: 'PATCH the changed keys into the running server (--mediamtx-api-url)'}),
    force: Flags.boolean({
      summary: 'Apply even while WebRTC sessions are active (they are dropped); write even a read-only file',
    }),
    backup: Flags.boolean({
      summary: 'Keep the previous file as <file>.<time>.<n>.bak (owner-only)',
      default: true,
      allowNo: true,
    }),
    'show-secrets': Flags.boolean({summary: 'Show TURN passwords in the diff'}),
  }

  async run() {
    const {icePasswordsOf, runConfigure} = await import('../../src/mediamtx/configure-request.js')
    const result = await runConfigure(configureRequestOf(this.flags, this.settings, this.abort.signal))
    if (!this.flags['show-secrets']) for (const password of icePasswordsOf(result)) this.redactor.add(password)
    return this.done(result, renderConfigure)
  }
}
