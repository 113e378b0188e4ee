import {BaseCommand} from '../../src/cli/base-command.js'
import {standinFlags} from '../../src/cli/standin-flags.js'

export default class MediamtxStandin extends BaseCommand<typeof MediamtxStandin> {
  static override summary =
    'Run the MediaMTX stand-in: its WHIP server and v3 API, from a real mediamtx.yml, on loopback'
  static override description =
    'An emulation of MediaMTX’s documented WHIP behaviour (201 headers per version, 406 rules, full answers with its candidates, track-gather timeout, DELETE) and control API, for trying r58 without MediaMTX. Media goes over loopback only: --interface addresses are advertised in answers, never used. Reloads when the file changes. Runs until Ctrl-C; one event per line (NDJSON with --json).'
  static override examples = [
    {
      description: 'Emulate a box that advertises only its LAN address',
      command:
        '<%= config.bin %> <%= command.id %> --file ./mediamtx.yml --interface lo=127.0.0.1 --interface eth0=192.168.1.58',
    },
    {
      description: 'An older MediaMTX on free ports, events as NDJSON',
      command:
        '<%= config.bin %> <%= command.id %> --file ./mediamtx.yml --mediamtx-version v1.5.0 --whip-port 0 --api-port 0 --json',
    },
  ]
  static override flags = standinFlags

  async run(): Promise<void> {
    const {startMediamtxStandin} = await import('../../src/sim/mediamtx/standin-server.js')
    const standin = await startMediamtxStandin({
      configPath: this.settings.require('mediamtx.configPath'),
      version: this.flags['mediamtx-version'],
      ...(this.flags['whip-port'] !== undefined && {whipPort: this.flags['whip-port']}),
      ...(this.flags['api-port'] !== undefined && {apiPort: this.flags['api-port']}),
      network: this.flags.network,
      ...(this.flags.interface && {interfaces: this.flags.interface}),
      log: (event) => this.logEvent(event),
    })
    const stop = new Promise<void>((resolve) =>
      this.abort.signal.addEventListener('abort', () => resolve(), {once: true}),
    )
    await Promise.race([stop, standin.exited])
    await standin.close()
  }
}
