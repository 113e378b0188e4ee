/**
 * Masks secrets given on the command line in oclif's debug output. With `DEBUG=*` (or `DEBUG=oclif:*`) oclif
 * prints argv in `main` (process.argv), in `Config.runCommand` and in `Command.init`, all before a command
 * could register anything for redaction; bin/run.js calls this first. The values of secret flags
 * (`--calls-app-secret X`, `--turn-password=X`, …) are replaced in everything the `debug` library writes,
 * which is where oclif's debug output goes. The flags still get their values: argv itself is untouched.
 */
import {createRequire} from 'node:module'
import {formatWithOptions, type InspectOptions} from 'node:util'

const REDACTED = '<redacted>'

/**
 * Flags whose value is a secret: every secret setting's flag (`--calls-app-secret`, `--turn-key-token`,
 * `--mediamtx-api-password`, `--relay-token`, …) and the short names commands give them (`--turn-password`,
 * `--app-secret`, `--token`). Their `-file` forms carry a path, which is not secret.
 */
export const SECRET_FLAG = /^--(?:[a-z0-9-]*-)?(?:secret|password|token|credential)$/

/** The secret values in `argv` (`--flag value` and `--flag=value`). */
export function secretArgvValues(argv: readonly string[]): string[] {
  const values: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') break
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    if (!SECRET_FLAG.test(name)) continue
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value) values.push(value)
  }
  return values
}

/** `text` with every secret (also in the escaped forms `util.inspect` and JSON print) replaced. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), s.replaceAll("'", "\\'")])
  for (const form of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED)
  return out
}

interface DebugLibrary {
  log: (...args: unknown[]) => void
  inspectOpts?: InspectOptions
}

/** Installs the masking in the `debug` instance oclif uses, when debug output is on and argv holds a secret. */
export function maskSecretArgvInDebugOutput(argv: readonly string[] = process.argv, env = process.env): void {
  if (!env['DEBUG']) return
  const secrets = secretArgvValues(argv)
  if (secrets.length === 0) return
  // oclif's own copy of `debug`, resolved from @oclif/core, so the patched instance is the one it logs through.
  const debug = createRequire(import.meta.resolve('@oclif/core'))('debug') as DebugLibrary
  debug.log = (...args: unknown[]) => {
    process.stderr.write(`${maskSecrets(formatWithOptions(debug.inspectOpts ?? {}, ...args), secrets)}\n`)
  }
}
