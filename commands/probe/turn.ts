import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {settingFlags, timeoutFlag} from '../../src/cli/flags.js'
import {tlsFlags, turnProbeOptions} from '../../src/cli/probe-flags.js'
import {renderTurnReport} from '../../src/cli/render/probe-turn.js'

export default class ProbeTurn extends BaseCommand<typeof ProbeTurn> {
  static override summary = 'Allocate on every TURN URL and transport, and prove the relay carries packets'
  static override description =
    'Each URL is tested on its own transport (udp, tcp or tls), all at once: DNS, TCP connect, TLS handshake, Allocate with long-term credentials (401 challenge, 438 stale nonce retried), relayed address, lifetime, server software and RTT. Then the data path: a second local socket learns its server-reflexive address from the TURN server, the allocation permits it, and packets go through the relay and back (RTT and loss). Every allocation is freed (Refresh lifetime 0) at the end and on Ctrl-C. Exit 5 when credentials are rejected, 4 when a server is unreachable (DNS, connect, TLS, no STUN answer), 3 for other failures.'
  static override examples = [
    {
      description: 'Three transports of one server, the credential from a file',
      command:
        '<%= config.bin %> <%= command.id %> "turn:turn.example.net:3478?transport=udp" "turn:turn.example.net:3478?transport=tcp" turns:turn.example.net:5349 --turn-username alice --turn-credential-file /etc/r58/turn-password',
    },
    {
      description: 'Mint Cloudflare TURN credentials first and probe every URL Cloudflare hands out',
      command:
        '<%= config.bin %> <%= command.id %> --cloudflare-turn --turn-key-id $TURN_KEY_ID --turn-key-token-file /etc/r58/turn-token',
    },
    {
      description: 'A TLS server with a private CA, as JSON',
      command:
        '<%= config.bin %> <%= command.id %> turns:turn.lan:5349 --turn-username alice --turn-credential-file pw --ca lan-ca.pem --json',
    },
  ]
  static override args = {
    urls: Args.string({
      multiple: true,
      description: 'TURN URLs: turn:host:port?transport=udp|tcp or turns:host:port (default: the turn.urls setting)',
    }),
  }
  static override flags = {
    timeout: timeoutFlag(3000, 'Deadline for each step (DNS, connect, TLS, Allocate, permission, echo)'),
    packets: Flags.integer({
      min: 0,
      max: 100,
      default: 5,
      summary: 'Packets echoed through each relay; 0 skips the data-path test',
    }),
    'cloudflare-turn': Flags.boolean({
      summary: 'Mint Cloudflare TURN credentials first (--turn-key-id, --turn-key-token-file) and use them',
    }),
    ...tlsFlags,
    ...settingFlags(['turn.urls', 'turn.username', 'turn.credential', 'turn.keyId', 'turn.keyToken', 'turn.apiBase'], {
      'turn.username': {aliases: ['username']},
      'turn.credential': {aliases: ['credential']},
    }),
  }

  async run() {
    const {probeTurn} = await import('../../src/turn/turn-probe.js')
    const options = turnProbeOptions(this.args.urls, this.flags, this.settings)
    return this.done(await probeTurn({...options, signal: this.abort.signal}), renderTurnReport)
  }
}
