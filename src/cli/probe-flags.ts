/** Flags and option mapping shared by `probe stun`, `probe turn` and `probe ice`. */
import {Flags} from '@oclif/core'
import type {Settings} from '../config/setting-resolve.js'
import {R58Error} from '../errors.js'
import {INPUT_LIMITS, inputFileReason, readInputFile} from '../fs/input-file.js'
import type {IceServer} from '../ice/ice-url.js'
import type {TlsSettings} from '../stun/link.js'
import type {ProbeTurnOptions} from '../turn/turn-probe.js'

/** `--ca FILE`: read at parse time, so a missing or non-PEM file fails before any packet is sent. */
const caFileFlag = Flags.custom<string>({
  helpValue: 'FILE',
  parse: async (input, _ctx, flag) => {
    let text: string
    try {
      // A CA bundle is small; a FIFO, a device or a huge file is refused at once instead of hanging.
      text = (await readInputFile(input, INPUT_LIMITS.config)).toString('utf8')
    } catch (error) {
      throw new R58Error('E_CONFIG', `--${flag.name}: cannot read ${input}: ${inputFileReason(error)}`, {
        field: `--${flag.name}`,
      })
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      throw new R58Error('E_CONFIG', `--${flag.name}: ${input} holds no PEM certificate`, {field: `--${flag.name}`})
    }
    return text
  },
})

export const tlsFlags = {
  ca: caFileFlag({summary: 'Also trust this CA certificate (PEM) for turns:/stuns: servers'}),
  insecure: Flags.boolean({summary: 'Do not verify TLS certificates (reported as a warning)'}),
}

export function tlsSettingsOf(flags: {ca?: string | undefined; insecure?: boolean | undefined}): TlsSettings {
  return {...(flags.ca !== undefined && {ca: flags.ca}), ...(flags.insecure === true && {insecure: true})}
}

/** probe turn: argv URLs (else turn.urls), credentials from settings, or minted by Cloudflare with --cloudflare-turn. */
export function turnProbeOptions(
  urls: readonly string[] | undefined,
  flags: {'cloudflare-turn': boolean; packets: number; timeout: number; ca?: string | undefined; insecure: boolean},
  settings: Settings,
): ProbeTurnOptions {
  const common = {timeoutMs: flags.timeout, packets: flags.packets, tls: tlsSettingsOf(flags)}
  if (flags['cloudflare-turn']) {
    return {
      ...common,
      urls: urls ?? [],
      cloudflare: {
        keyId: settings.require('turn.keyId', 'for --cloudflare-turn'),
        token: settings.require('turn.keyToken', 'for --cloudflare-turn'),
        apiBase: settings.require('turn.apiBase'),
      },
    }
  }
  return {
    ...common,
    urls: urls ?? settings.require('turn.urls', 'the TURN URLs to probe'),
    username: settings.require('turn.username'),
    credential: settings.require('turn.credential'),
  }
}

/** probe ice: --ice-server URLs (else stun.urls and turn.urls), TURN ones with the TURN credential. */
export function iceServersOf(given: readonly string[] | undefined, settings: Settings): IceServer[] {
  const urls = given ?? [...(settings.get('stun.urls') ?? []), ...(settings.get('turn.urls') ?? [])]
  const turn = urls.filter((url) => /^turns?:/i.test(url.trim()))
  const servers: IceServer[] = urls.filter((url) => !/^turns?:/i.test(url.trim())).map((url) => ({urls: url}))
  if (turn.length > 0) {
    servers.push({
      urls: turn,
      username: settings.require('turn.username'),
      credential: settings.require('turn.credential'),
    })
  }
  return servers
}
