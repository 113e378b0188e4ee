/**
 * Progress spinners on stderr, and only where a person is watching: stderr is a TTY, --json is off and CI
 * is unset. Everywhere else every call is a no-op, so scripts and logs never see spinner frames.
 */
import ora, {type Ora} from 'ora'

export interface Progress {
  start(text: string): void
  update(text: string): void
  stop(): void
}

const SILENT: Progress = {start() {}, update() {}, stop() {}}

export function progressEnabled(options: {json: boolean; env: NodeJS.ProcessEnv; stream: {isTTY?: boolean}}): boolean {
  return options.stream.isTTY === true && !options.json && !options.env['CI']
}

export function createProgress(enabled: boolean): Progress {
  if (!enabled) return SILENT
  let spinner: Ora | undefined
  return {
    start(text) {
      spinner = ora({text, stream: process.stderr, discardStdin: false}).start()
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
