import {BaseCommand} from '../../src/cli/base-command.js'
import {probeWhipArgs, probeWhipFlags, probeWhipOptions} from '../../src/cli/probe-whip-flags.js'
import {renderWhipProbe} from '../../src/cli/render/probe-whip.js'

export default class ProbeWhip extends BaseCommand<typeof ProbeWhip> {
  static override summary =
    'Publish a test stream to a WHIP endpoint and explain why a remote guest would or would not get through'
  static override description =
    'OPTIONS, then POST a werift offer with synthetic Opus + VP8/H.264, trickle by PATCH when the server takes it, connect, send media and DELETE the session. Every a=candidate of the answer is classified (loopback, LAN, CGNAT/tailnet, public, mDNS, host name; host/srflx/relay; UDP/TCP) into a verdict on where guests can publish from, with the fix. --relay-only forces TURN, as a guest behind a strict NAT; --mediamtx-api-url confirms the session from MediaMTX itself.'
  static override examples = [
    {
      description: 'Probe MediaMTX on the box (path r58-probe), with its API to confirm',
      command:
        '<%= config.bin %> <%= command.id %> http://192.168.1.58:8889 --mediamtx-api-url http://192.168.1.58:9997',
    },
    {
      description: 'Through the tunnel, as a remote guest: TURN only, with publish credentials',
      command:
        '<%= config.bin %> <%= command.id %> https://studio.example.com/cam/whip --relay-only --ice-server "turn:turn.example.com:3478?transport=udp" --turn-username guest --turn-credential-file ./turn-pass --mediamtx-token-file ./whip-token',
    },
    {
      description: 'H.264 for 1 s, JSON for a script',
      command: '<%= config.bin %> <%= command.id %> http://127.0.0.1:8889/cam/whip --video h264 --duration 1s --json',
    },
  ]
  static override args = probeWhipArgs
  static override flags = probeWhipFlags

  async run() {
    const {probeWhip} = await import('../../src/whip/probe.js')
    const options = probeWhipOptions(this.args.url, this.flags, this.settings, this.abort.signal)
    return this.done(await probeWhip(options), renderWhipProbe)
  }
}
