import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {iceServersOf, tlsFlags, tlsSettingsOf} from '../../src/cli/probe-flags.js'
import {renderIceReport} from '../../src/cli/render/probe-ice.js'

export default class ProbeIce extends BaseCommand<typeof ProbeIce> {
  static override summary = 'Gather ICE candidates as a browser would, and say which kind is missing and why'
  static override description =
    'Gathers candidates with werift, one peer connection per ICE server URL (werift uses only the first TURN URL of a list), and lists them like the WebRTC "trickle ICE" page: elapsed time, type, protocol, address, port, priority and relay protocol. A missing server-reflexive or relay candidate is a failed check with a plain-language reason and the r58 command that tells more. Without --ice-server, the stun.urls and turn.urls settings are used.'
  static override examples = [
    {
      description: 'A STUN server and a TURN server, like the trickle ICE page',
      command:
        '<%= config.bin %> <%= command.id %> --ice-server stun:stun.cloudflare.com:3478 --ice-server "turn:turn.example.net:3478?transport=udp" --turn-username alice --turn-credential-file /etc/r58/turn-password',
    },
    {
      description: 'Relay candidates only (iceTransportPolicy "relay")',
      command:
        '<%= config.bin %> <%= command.id %> --ice-server turns:turn.example.net:5349 --turn-username alice --turn-credential-file pw --relay-only',
    },
  ]
  static override flags = {
    'ice-server': Flags.string({multiple: true, helpValue: 'URL', summary: 'A STUN or TURN URL (repeatable)'}),
    'relay-only': Flags.boolean({summary: 'Gather relay candidates only (iceTransportPolicy "relay")'}),
    timeout: timeoutFlag(3000, 'How long to wait for gathering to complete'),
    ...tlsFlags,
    ...settingFlags(['stun.urls', 'turn.urls', 'turn.username', 'turn.credential'], {
      'turn.username': {aliases: ['username']},
      'turn.credential': {aliases: ['credential']},
    }),
  }

  async run() {
    const {gatherCandidates} = await import('../../src/ice/gather.js')
    const options = {relayOnly: this.flags['relay-only'], timeoutMs: this.flags.timeout, tls: tlsSettingsOf(this.flags)}
    const iceServers = iceServersOf(this.flags['ice-server'], this.settings)
    return this.done(await gatherCandidates({...options, iceServers, signal: this.abort.signal}), renderIceReport)
  }
}
