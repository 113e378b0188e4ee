/** `host:port` listen and target addresses: `127.0.0.1:8890`, `:8189`, `[::1]:3478`. */

export interface HostPort {
  /** Empty when the address had no host (`:8189`, meaning every interface). */
  host: string
  port: number
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]*)):(\d{1,5})$/

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535
}

/**
 * Parses `host:port`; undefined when the text is not of that form or the port is outside 1–65535 (port 0,
 * "any free port", only with `allowAnyPort`, for listen addresses).
 */
export function parseHostPort(text: string, options: {allowAnyPort?: boolean} = {}): HostPort | undefined {
  const match = HOST_PORT.exec(text.trim())
  if (!match) return undefined
  const port = Number(match[3])
  if (!isPort(port) && !(options.allowAnyPort && port === 0 && match[3] === '0')) return undefined
  return {host: match[1] ?? match[2] ?? '', port}
}

export function formatHostPort({host, port}: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
