/** Flags and flag-to-options glue of `calls emulate` (and the short setting names it uses). */
import {isIP} from 'node:net'
import {Flags} from '@oclif/core'
import type {Redactor} from '../config/redact.js'
import type {Settings} from '../config/setting-resolve.js'
import type {SettingKey} from '../config/settings.js'
import {R58Error} from '../errors.js'
import {INPUT_LIMITS, inputFileReason, readInputFile} from '../fs/input-file.js'
import type {EmulatorPlanInput} from '../sim/calls-sfu/serve.js'
import {type HostPort, parseHostPort} from '../util/host-port.js'
import type {SettingFlagOptions} from './flags.js'

/** The emulator serves the app of `--calls-app-id`; `--app-id` and `--app-secret-file` were its first names. */
export const emulatorAppFlagNames: Partial<Record<SettingKey, SettingFlagOptions>> = {
  'calls.appId': {aliases: ['app-id']},
  'calls.appSecret': {aliases: ['app-secret']},
}

/** `--listen 127.0.0.1:8787`; port 0 picks a free port. */
export const listenFlag = Flags.custom<HostPort>({
  helpValue: 'HOST:PORT',
  parse: async (input, _ctx, flag) => {
    const text = input.trim()
    const zero = /^(.*):0$/.exec(text)
    const parsed = zero ? parseHostPort(`${zero[1]}:1`) : parseHostPort(text)
    if (!parsed) {
      throw new R58Error(
        'E_USAGE',
        `--${flag.name}: expected HOST:PORT such as 127.0.0.1:8787, got ${JSON.stringify(input)}`,
        {
          field: `--${flag.name}`,
        },
      )
    }
    return zero ? {host: parsed.host, port: 0} : parsed
  },
})

async function readSecretFile(path: string, flag: string): Promise<string> {
  let text: string
  try {
    text = (await readInputFile(path, INPUT_LIMITS.secret)).toString('utf8')
  } catch (error) {
    throw new R58Error('E_SECRET', `${flag} ${path}: cannot read (${inputFileReason(error)})`, {
      field: flag,
      hint: 'Point it at a readable file that holds the secret on one line.',
    })
  }
  const secret = text.trim()
  if (secret.length === 0) throw new R58Error('E_SECRET', `${flag} ${path}: the file is empty`, {field: flag})
  return secret
}

export interface EmulateFlags {
  listen: HostPort
  'turn-url'?: string[] | undefined
  'turn-secret-file'?: string | undefined
  'media-address'?: string[] | undefined
  inactivity: number
}

/** The emulator's plan input from flags and settings; secrets read here are registered for redaction. */
export async function emulatePlanInput(
  flags: EmulateFlags,
  settings: Settings,
  redactor: Redactor,
): Promise<EmulatorPlanInput> {
  for (const address of flags['media-address'] ?? []) {
    if (isIP(address) === 0) {
      throw new R58Error('E_USAGE', `--media-address: expected an IP address, got ${JSON.stringify(address)}`, {
        field: '--media-address',
      })
    }
  }
  if (flags.inactivity < 1000) {
    throw new R58Error('E_USAGE', `--inactivity: expected at least 1s, got ${flags.inactivity} ms`, {
      field: '--inactivity',
    })
  }
  const turnSecret =
    flags['turn-secret-file'] === undefined
      ? undefined
      : await readSecretFile(flags['turn-secret-file'], '--turn-secret-file')
  redactor.add(turnSecret)
  return {
    listen: flags.listen,
    appId: settings.get('calls.appId'),
    appSecret: settings.get('calls.appSecret'),
    turnUrls: flags['turn-url'] ?? [],
    turnSecret,
    turnKeyId: settings.get('turn.keyId'),
    turnKeyToken: settings.get('turn.keyToken'),
    ...(flags['media-address'] && {mediaAddresses: flags['media-address']}),
    inactivityMs: flags.inactivity,
  }
}
