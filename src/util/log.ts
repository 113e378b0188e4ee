/**
 * Structured log events for long-running services (relay, emulator, turn-refresh). The library emits data;
 * the command decides how it looks: a human line, or one NDJSON object per line under --json.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface LogEvent {
  level: LogLevel
  /** Stable, dotted event name, e.g. `relay.session.started`. Part of the NDJSON contract. */
  event: string
  /** One human sentence. */
  msg: string
  [field: string]: unknown
}

export type Log = (event: LogEvent) => void

/** Discards everything; the default for library callers that do not care. */
export const silentLog: Log = () => {}
