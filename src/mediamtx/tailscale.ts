/**
 * This machine's Tailscale IPv4 address (100.64.0.0/10): `tailscale ip -4` when the CLI is installed (with a
 * timeout), else an interface address in that range, preferring interfaces named `tailscale*`. Both lookups
 * are injectable, so tests never depend on the host.
 */
import {execFile} from 'node:child_process'
import {type NetworkInterfaceInfo, networkInterfaces} from 'node:os'
import {R58Error, systemErrorCode} from '../errors.js'
import {classifyAddress} from '../net/address-class.js'

export type ExecFn = (file: string, args: readonly string[], options: {timeoutMs: number}) => Promise<{stdout: string}>

export type InterfacesFn = () => NodeJS.Dict<NetworkInterfaceInfo[]>

export interface TailscaleOptions {
  exec?: ExecFn
  interfaces?: InterfacesFn
  /** Deadline for `tailscale ip -4`. Default 2000 ms. */
  timeoutMs?: number
}

export interface TailscaleAddress {
  address: string
  source: 'tailscale-cli' | 'interface'
  /** The interface it was found on (interface lookup only). */
  interface: string | null
}

const defaultExec: ExecFn = (file, args, options) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], {timeout: options.timeoutMs, killSignal: 'SIGKILL'}, (error, stdout) => {
      if (error) reject(error)
      else resolve({stdout: String(stdout)})
    })
  })

const isTailnet = (address: string) => classifyAddress(address).category === 'cgnat' && !address.includes(':')

export async function findTailscaleAddress(options: TailscaleOptions = {}): Promise<TailscaleAddress> {
  const exec = options.exec ?? defaultExec
  let why: string
  try {
    const {stdout} = await exec('tailscale', ['ip', '-4'], {timeoutMs: options.timeoutMs ?? 2000})
    const address = stdout
      .split(/\s+/)
      .map((line) => line.trim())
      .find(isTailnet)
    if (address) return {address, source: 'tailscale-cli', interface: null}
    why = '`tailscale ip -4` printed no 100.x address'
  } catch (error) {
    const code = systemErrorCode(error)
    why =
      code === 'ENOENT'
        ? 'the tailscale CLI is not installed'
        : (error as {killed?: boolean}).killed
          ? '`tailscale ip -4` did not answer in time'
          : `\`tailscale ip -4\` failed (${code ?? (error as Error).message})`
  }
  const found: {address: string; name: string}[] = []
  for (const [name, addresses] of Object.entries((options.interfaces ?? networkInterfaces)())) {
    for (const info of addresses ?? [])
      if (info.family === 'IPv4' && isTailnet(info.address)) found.push({address: info.address, name})
  }
  found.sort((a, b) => Number(b.name.startsWith('tailscale')) - Number(a.name.startsWith('tailscale')))
  const best = found[0]
  if (best) return {address: best.address, source: 'interface', interface: best.name}
  throw new R58Error(
    'E_CHECK_FAILED',
    `No Tailscale address found: ${why}, and no interface has a 100.64.0.0/10 address`,
    {
      hint: 'Start Tailscale (`tailscale up`), or give the address with --add-host 100.x.y.z.',
    },
  )
}
