/** One log event as a human line: `15:04:05.123 INFO relay.session.started guest published (path=cam)`. */
import type {LogEvent} from '../../util/log.js'
import type {Style} from '../style.js'

const FIELDS_HIDDEN = new Set(['level', 'event', 'msg', 'time'])

export function renderLogLine(event: LogEvent & {time: string}, style: Style): string {
  const level = event.level.toUpperCase().padEnd(5)
  const paint = event.level === 'error' ? style.chalk.red : event.level === 'warn' ? style.chalk.yellow : style.dim
  const fields = Object.entries(event)
    .filter(([key, value]) => !FIELDS_HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  const tail = fields.length > 0 ? ` ${style.dim(`(${fields.join(' ')})`)}` : ''
  return `${style.dim(event.time)} ${paint(level)} ${event.event} ${event.msg}${tail}`
}
