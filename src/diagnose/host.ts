/**
 * Host checks for a box that relays media with werift: UDP receive buffers (werift drops RTP bursts when
 * they overrun a small default buffer), the Node.js version, and the clock (TURN REST credentials and
 * tokens expire by wall-clock time). Inputs are injected so the checks are pure functions of what they read.
 */
import {readFile} from 'node:fs/promises'
import {type Check, runCheck} from '../report/check.js'

/** Below this, bursts of video RTP are dropped (dgreif/ring#902: 200 KiB default; 1 MiB "makes a huge difference"). */
export const MIN_RMEM_BYTES = 1024 * 1024
export const RECOMMENDED_RMEM_BYTES = 2_500_000
/** Skew beyond this breaks time-limited TURN credentials and tokens. */
export const MAX_CLOCK_SKEW_MS = 30_000

export interface HostInputs {
  /** Reads a /proc/sys value; undefined when absent (not Linux). */
  readSysctl?: (name: string) => Promise<string | undefined>
  nodeVersion?: string
  /** A remote clock seen in an HTTP `Date` header during this run, if any. */
  remoteDate?: {source: string; date: Date; localAt: number}
  now?: () => number
}

async function readProcSys(name: string): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8')).trim()
  } catch {
    return undefined
  }
}

export async function checkHost(inputs: HostInputs = {}): Promise<Check[]> {
  const read = inputs.readSysctl ?? readProcSys
  const node = inputs.nodeVersion ?? process.versions.node
  const now = inputs.now ?? Date.now

  const rmem = runCheck('host.rmem', 'UDP receive buffer', async () => {
    const max = await read('net.core.rmem_max')
    if (max === undefined) return {status: 'skip', evidence: 'net.core.rmem_max not readable (not Linux?)'}
    const bytes = Number(max)
    const fix = `sudo sysctl -w net.core.rmem_max=${RECOMMENDED_RMEM_BYTES} net.core.rmem_default=${RECOMMENDED_RMEM_BYTES}`
    if (bytes < MIN_RMEM_BYTES) {
      return {
        status: 'warn',
        evidence: `net.core.rmem_max is ${bytes} bytes; werift drops bursts of video RTP with buffers under ${MIN_RMEM_BYTES}`,
        fix,
        data: {rmemMax: bytes},
      }
    }
    return {status: 'pass', evidence: `net.core.rmem_max is ${bytes} bytes`, data: {rmemMax: bytes}}
  })

  const nodeCheck = runCheck('host.node', 'Node.js version', async () => {
    const [major = 0, minor = 0] = node.split('.').map(Number)
    if (major < 20 || (major === 20 && minor < 19)) {
      return {
        status: 'fail',
        evidence: `Node.js ${node}; r58 needs 20.19 or newer`,
        fix: 'Install Node.js 20.19+ (or 22 LTS).',
      }
    }
    return {status: 'pass', evidence: `Node.js ${node}`}
  })

  const clock = runCheck('host.clock', 'Clock', async () => {
    const local = now()
    if (new Date(local).getUTCFullYear() < 2024) {
      return {
        status: 'fail',
        evidence: `the system clock says ${new Date(local).toISOString()}`,
        fix: 'Enable NTP: sudo timedatectl set-ntp true',
      }
    }
    const remote = inputs.remoteDate
    if (!remote) return {status: 'pass', evidence: `${new Date(local).toISOString()} (no remote clock seen to compare)`}
    const skew = remote.localAt - remote.date.getTime()
    // HTTP dates have one-second resolution.
    if (Math.abs(skew) > MAX_CLOCK_SKEW_MS + 1000) {
      return {
        status: 'warn',
        evidence: `local clock is ${Math.round(skew / 1000)} s off ${remote.source}; time-limited TURN credentials may be refused`,
        fix: 'Enable NTP: sudo timedatectl set-ntp true',
        data: {skewMs: skew},
      }
    }
    return {
      status: 'pass',
      evidence: `within ${Math.ceil(Math.abs(skew) / 1000)} s of ${remote.source}`,
      data: {skewMs: skew},
    }
  })

  return Promise.all([rmem, nodeCheck, clock])
}
