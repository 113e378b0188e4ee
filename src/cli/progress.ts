/**
 * Progress spinners on stderr, and only where a person is watching: stderr is a TTY, --json is off, and neither
 * CI nor NO_COLOR (no-color.org: no animation either) is set. Everywhere else every call is a no-op, so scripts and logs never see spinner frames.
 */
import type {Ora, Options as OraOptions} from 'ora'

/** Makes a spinner: ora's default export. */
export type SpinnerFactory = (options: OraOptions) => Ora

export interface Progress {
  start(text: string): void
  update(text: string): void
  stop(): void
}

const SILENT: Progress = {start() {}, update() {}, stop() {}}

/**
 * A terminal of zero columns (a pseudo-terminal nobody sized, as `script` or some `docker exec -t` give) is
 * not one a person reads, and ora would divide by its width and clear lines forever: no spinner there either.
 */
export function progressEnabled(options: {
  json: boolean
  env: NodeJS.ProcessEnv
  stream: {isTTY?: boolean; columns?: number}
}): boolean {
  const {env} = options
  const quiet = Boolean(env['CI']) || Boolean(env['NO_COLOR'])
  return options.stream.isTTY === true && (options.stream.columns ?? 0) > 0 && !options.json && !quiet
}

/** ora takes tens of milliseconds to import: it is loaded only where a spinner will show. */
export async function loadSpinner(enabled: boolean): Promise<SpinnerFactory | undefined> {
  return enabled ? (await import('ora')).default : undefined
}

export function createProgress(spinnerFactory: SpinnerFactory | undefined): Progress {
  if (!spinnerFactory) return SILENT
  let spinner: Ora | undefined
  return {
    start(text) {
      spinner = spinnerFactory({text, stream: process.stderr, discardStdin: false}).start()
    },
    update(text) {
      if (spinner) spinner.text = text
      else this.start(text)
    },
    stop() {
      spinner?.stop()
      spinner = undefined
    },
  }
}
