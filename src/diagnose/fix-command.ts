/**
 * Fixes that are commands must run as printed: every argument shell-quoted (bash and zsh treat `?`, `*`,
 * `<`, `>`, `&`, `;`, `$` and spaces specially), and every setting the engineer gave on diagnose's command
 * line carried into the fix, because the fix runs in the same environment and with the same config file but
 * not with the same flags.
 */
import type {SettingKey} from '../config/settings.js'

/** Characters that mean nothing to bash or zsh inside a word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/

export function shellQuote(arg: string): string {
  if (arg.length > 0 && SAFE_WORD.test(arg)) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** `r58 mediamtx configure --file '/etc/media mtx.yml' --write` */
export function r58Command(argv: readonly string[]): string {
  return ['r58', ...argv].map(shellQuote).join(' ')
}

/**
 * The arguments that give a fix command the value diagnose used for `key`, under that command's flag name
 * (`--calls-app-id`; a secret becomes `--calls-app-secret-file <its file>`). Empty when the value came from
 * the environment, the config file or a default: the fix inherits those.
 */
export type CarrySetting = (key: SettingKey, flag: string) => string[]

export const inheritAll: CarrySetting = () => []
