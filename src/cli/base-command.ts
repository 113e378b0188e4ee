/**
 * The one base command. Every r58 command gets from it:
 * - parsed flags and args, and its settings resolved flag > R58_* env > config file > default;
 * - the output contract: stdout carries only the result (human text or one JSON envelope), warnings and
 *   progress go to stderr, secrets are redacted from everything printed;
 * - the exit-code table, identical with and without --json;
 * - an AbortSignal that fires on SIGINT/SIGTERM so library calls can free what they hold.
 */
import {Command, Flags, type Interfaces} from '@oclif/core'
import {Redactor} from '../config/redact.js'
import {type FlagInput, registerKnownSecrets, resolveSettings, type Settings} from '../config/setting-resolve.js'
import type {SettingKey} from '../config/settings.js'
import type {RawValue} from '../config/values.js'
import {EXIT, type ExitCode} from '../errors.js'
import type {LogEvent} from '../util/log.js'
import {normalizeError} from './cli-errors.js'
import {settingMarkOf} from './flags.js'
import {createProgress, loadSpinner, type Progress, progressEnabled, type SpinnerFactory} from './progress.js'
import {renderLogLine} from './render/log-event.js'
import {type Style, stderrStyle, stdoutStyle} from './style.js'
import {usageErrorOf} from './usage-error.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** The JSON envelope of every command. `schemaVersion` changes only on breaking changes. */
export interface Envelope<R> {
  schemaVersion: 1
  command: string
  ok: boolean
  exitCode: ExitCode
  startedAt: string
  finishedAt: string
  durationMs: number
  result?: R
  error?: {code: string; message: string; hint?: string; field?: string}
  /** Warnings printed on stderr in human mode (a secret on argv, a deprecated flag name), each once. */
  warnings?: string[]
}

/** Results may decide their own exit code (reports with failed checks). */
interface WithExitCode {
  exitCode?: ExitCode
}

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    config: Flags.string({
      summary: 'Config file [env: R58_CONFIG] [default: $XDG_CONFIG_HOME/r58/config.yaml]',
      helpGroup: 'GLOBAL',
      helpValue: 'FILE',
    }),
    verbose: Flags.boolean({summary: 'Show stack traces of errors', helpGroup: 'GLOBAL'}),
  }

  static override enableJsonFlag = true

  /** Commands that must work even when the config file is broken (config init) turn this off. */
  static readsConfigFile = true

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  protected settings!: Settings
  /** The setting values exactly as given on the command line (before env, file and defaults). */
  protected settingFlagInput: FlagInput = {values: new Map(), secretFiles: new Map()}
  protected readonly redactor = new Redactor()
  /** Aborted on SIGINT/SIGTERM; pass it to every library call that does I/O. */
  protected readonly abort = new AbortController()
  #started = Date.now()
  #spinner: SpinnerFactory | undefined
  #exitCode: ExitCode = EXIT.ok
  #warnings: string[] = []
  #onSignal = (): void => {
    if (this.abort.signal.aborted) process.exit(130) // a second Ctrl-C means "now"
    this.abort.abort(new Error('interrupted'))
  }

  override async init(): Promise<void> {
    await super.init()
    this.#started = Date.now()
    process.on('SIGINT', this.#onSignal)
    process.on('SIGTERM', this.#onSignal)
    const ctor = this.ctor as unknown as typeof BaseCommand & T
    // Anything the parser throws is a usage error (exit 2), read from oclif's error objects.
    const {flags, args} = await this.parse({
      flags: ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    }).catch((error: unknown) => {
      throw usageErrorOf(error, this.flagNames())
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
    const {input, keys} = this.settingInput(ctor.flags ?? {}, flags as Record<string, unknown>)
    this.settingFlagInput = input
    const env = process.env
    // The config file module brings the YAML parser: loaded when a command runs, not when its help is shown.
    const {configPathOf, loadConfigFile} = await import('../config/file.js')
    const where = configPathOf(this.flags.config, env)
    const file = ctor.readsConfigFile && keys.length > 0 ? await loadConfigFile(where.path, where.explicit) : undefined
    registerKnownSecrets(env, file, this.redactor)
    this.settings = await resolveSettings({keys, flags: input, env, file, redactor: this.redactor})
    for (const warning of this.settings.warnings) this.warn(warning)
    this.#spinner = await loadSpinner(progressEnabled({json: this.jsonEnabled(), env, stream: process.stderr}))
  }

  /** Splits parsed flags into setting values, by the marks that settingFlags() put on the definitions. */
  private settingInput(
    definitions: Record<string, unknown>,
    parsed: Record<string, unknown>,
  ): {input: FlagInput; keys: SettingKey[]} {
    const input: FlagInput = {values: new Map(), secretFiles: new Map(), names: new Map()}
    const keys = new Set<SettingKey>()
    for (const [name, definition] of Object.entries(definitions)) {
      const mark = settingMarkOf(definition)
      if (!mark.r58Setting) continue
      keys.add(mark.r58Setting)
      if (!mark.r58SecretFile) input.names?.set(mark.r58Setting, name)
      const value = parsed[name]
      if (value === undefined) continue
      if (mark.r58SecretFile) input.secretFiles.set(mark.r58Setting, String(value))
      else input.values.set(mark.r58Setting, value as RawValue)
    }
    return {input, keys: [...keys]}
  }

  /** Human style for stdout. */
  protected get style(): Style {
    return stdoutStyle()
  }

  /** A spinner on stderr when a person is watching; a no-op otherwise. */
  protected progress(): Progress {
    return createProgress(this.#spinner)
  }

  /**
   * Renders the result in human mode, records its exit code, and returns it (oclif prints it as JSON under
   * --json). The last line of every command's run().
   */
  protected done<R extends object>(result: R, render: (result: R, style: Style) => string): R {
    // Interrupted (Ctrl-C): the result keeps what finished; the exit code says it was cut short.
    this.#exitCode = this.abort.signal.aborted ? EXIT.interrupted : ((result as WithExitCode).exitCode ?? EXIT.ok)
    process.exitCode = this.#exitCode
    if (!this.jsonEnabled()) {
      const text = render(result, this.style)
      if (text.length > 0) this.log(text)
    }
    return result
  }

  /**
   * For long-running commands (relay, emulator): one event per line on stdout, NDJSON under --json.
   * Such commands return nothing from run(), so stdout stays a pure NDJSON stream.
   */
  protected logEvent(event: LogEvent): void {
    const stamped = this.redactor.redactDeep({time: new Date().toISOString(), ...event})
    process.stdout.write(`${this.jsonEnabled() ? JSON.stringify(stamped) : renderLogLine(stamped, this.style)}\n`)
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(this.redactor.redact(message), ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(this.redactor.redact(message), ...args)
  }

  /** Each warning once: on stderr in human mode, in the envelope's `warnings` under --json. */
  override warn(input: string | Error): string | Error {
    const text = this.redactor.redact(typeof input === 'string' ? input : input.message)
    if (this.#warnings.includes(text)) return input
    this.#warnings.push(text)
    if (!this.jsonEnabled()) process.stderr.write(`${stderrStyle().chalk.yellow('Warning:')} ${text}\n`)
    return input
  }

  override logJson(json: unknown): void {
    super.logJson(this.redactor.redactDeep(json))
  }

  private envelope<R>(extra: Pick<Envelope<R>, 'result' | 'error'>, exitCode: ExitCode): Envelope<R> {
    const finished = Date.now()
    return {
      schemaVersion: 1,
      command: this.commandLine,
      ok: exitCode === EXIT.ok,
      exitCode,
      startedAt: new Date(this.#started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - this.#started,
      ...extra,
      ...(this.#warnings.length > 0 && {warnings: [...this.#warnings]}),
    }
  }

  protected override toSuccessJson(result: unknown): Envelope<unknown> {
    return this.envelope({result}, this.#exitCode)
  }

  protected override toErrorJson(error: unknown): Envelope<never> {
    const e = normalizeError(error, this.flagNames())
    const body = {
      code: e.code,
      message: e.message,
      ...(e.hint !== undefined && {hint: e.hint}),
      ...(e.field !== undefined && {field: e.field}),
    }
    return this.envelope<never>({error: body}, e.exitCode)
  }

  private flagNames(): string[] {
    return Object.keys({...(this.ctor.flags ?? {}), ...(this.ctor.baseFlags ?? {})})
  }

  /** The command id as typed: `probe turn`, not oclif's internal `probe:turn`. */
  protected get commandLine(): string {
    return (this.id ?? '').replaceAll(':', ' ')
  }

  override async catch(error: Error & {exitCode?: number}): Promise<void> {
    // A parse failure is still a parse; without this oclif warns "did not parse its arguments" in dev.
    this.parsed = true
    const e = normalizeError(error, this.flagNames())
    process.exitCode = e.exitCode
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error))
      return
    }
    const style = stderrStyle()
    const redact = (text: string) => this.redactor.redact(text)
    const verbose = this.flags?.verbose === true || Boolean(process.env['DEBUG'])
    if (e.code === 'E_USAGE') {
      // Usage errors are one line: what is wrong, the fix, and where to read more.
      const parts = [e.message, e.hint, `See \`${this.config.bin} ${this.commandLine} --help\`.`]
      const line = parts
        .filter((part): part is string => part !== undefined)
        .map((part) => (/[.?!]$/.test(part) ? part : `${part}.`))
        .join(' ')
      process.stderr.write(`${style.chalk.red('Error:')} ${redact(line)}\n`)
    } else {
      process.stderr.write(`${style.chalk.red('Error:')} ${redact(e.message)} ${style.dim(`(${e.code})`)}\n`)
      if (e.hint !== undefined) process.stderr.write(`${style.bold('Try this:')} ${redact(e.hint)}\n`)
    }
    if (verbose && e.original instanceof Error && e.original.stack) {
      process.stderr.write(`${redact(e.original.stack)}\n`)
    }
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    process.removeListener('SIGINT', this.#onSignal)
    process.removeListener('SIGTERM', this.#onSignal)
    await super.finally(error)
  }
}
