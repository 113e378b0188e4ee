import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {tlsFlags, tlsSettingsOf} from '../../src/cli/probe-flags.js'
import {renderStunReport} from '../../src/cli/render/probe-stun.js'

export default class ProbeStun extends BaseCommand<typeof ProbeStun> {
  static override summary = 'Binding requests to STUN servers: mapped address, RTT, and the NAT mapping behaviour'
  static override description =
    'Sends several Binding requests to each server over UDP from one local socket (TCP or TLS when the URL says ?transport=tcp or stuns:, or for every server with --tcp) and reports the mapped address, RTT min/median/max and the local address used. Comparing the mappings that two servers (or two ports, or RFC 5780 OTHER-ADDRESS) saw from that one socket tells whether the NAT maps endpoint-independently (direct UDP to a public peer works) or varies by destination (symmetric-like: guests need TURN).'
  static override examples = [
    {
      description: 'Two servers, so the mapping can be compared',
      command: '<%= config.bin %> <%= command.id %> stun:stun.cloudflare.com:3478 stun:stun.l.google.com:19302',
    },
    {
      description: 'Also over TCP, fewer requests, as JSON',
      command: '<%= config.bin %> <%= command.id %> stun:turn.example.net:3478 --tcp --count 3 --json',
    },
  ]
  static override args = {
    urls: Args.string({
      multiple: true,
      description: 'STUN URLs: stun:host:port[?transport=tcp] (default: the stun.urls setting)',
    }),
  }
  static override flags = {
    count: Flags.integer({min: 1, max: 50, default: 5, summary: 'Binding requests per server'}),
    tcp: Flags.boolean({summary: 'Also send the requests over TCP to each UDP server'}),
    timeout: timeoutFlag(3000, 'Deadline for each step (DNS, connect, each Binding request)'),
    ...tlsFlags,
    ...settingFlags(['stun.urls']),
  }

  async run() {
    const {probeStun} = await import('../../src/stun/stun-probe.js')
    const options = {
      count: this.flags.count,
      tcp: this.flags.tcp,
      timeoutMs: this.flags.timeout,
      tls: tlsSettingsOf(this.flags),
    }
    const urls = this.args.urls ?? this.settings.require('stun.urls')
    return this.done(await probeStun({...options, urls, signal: this.abort.signal}), renderStunReport)
  }
}
