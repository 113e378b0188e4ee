/**
 * The NAT lab's network: five Linux network namespaces joined by veth pairs, built with `ip` and `iptables`
 * (root only). Nothing is attached to the namespace this process runs in, so no packet of the lab can reach a
 * real network, and nothing outside can reach the lab:
 *
 *   guest (10.77.0.2) ── guest-nat ── internet bridge 198.18.0.0/24 ── box-nat ── box (192.168.58.2)
 *     │                  198.18.0.3    coturn + Calls emulator .1      198.18.0.2      │
 *     └───────────────────────── tailnet link 100.64.0.77 ↔ 100.64.0.58 ──────────────┘ (when up)
 *
 * The "internet" is 198.18.0.0/24 (RFC 2544, reserved for benchmarking): r58 classifies it as public, as the
 * real internet would be, and it belongs to nobody. Documentation ranges (TEST-NET) would not do: r58 rightly
 * never tries them. Box NAT: `port-restricted` is Linux MASQUERADE (the mapping keeps the source port per
 * internal endpoint; conntrack admits only replies from the exact address and port contacted); `symmetric` adds
 * `--random-fully`, so every new destination gets a fresh random port. The box router forwards only the TCP
 * WHIP/relay ports, and optionally a UDP port span (the "public address with a forwarded UDP port" option).
 * Guest variants drop UDP in the guest's own namespace: all of it, or all but the TURN server's port.
 *
 * Names carry this process's pid (`r58lab<pid>-box`), so concurrent runs never collide, and namespaces left
 * by a run that was killed are removed by the next one.
 */
import {execFileSync} from 'node:child_process'

export const LAB_ADDRESSES = {
  /** coturn and the Calls emulator, "on the internet". */
  internet: '198.18.0.1',
  boxPublic: '198.18.0.2',
  guestPublic: '198.18.0.3',
  boxRouterLan: '192.168.58.1',
  box: '192.168.58.2',
  guestRouterLan: '10.77.0.1',
  guest: '10.77.0.2',
  boxTailnet: '100.64.0.58',
  guestTailnet: '100.64.0.77',
} as const

export type BoxNat = 'port-restricted' | 'symmetric'
export type GuestUdp = 'open' | 'turn-only' | 'blocked'

export interface NatLabOptions {
  boxNat?: BoxNat
  /** TCP ports the box router forwards to the box (the HTTP tunnel's WHIP and relay ports). */
  forwardTcp: readonly number[]
}

export interface NatLabNetwork {
  readonly names: {internet: string; boxRouter: string; box: string; guestRouter: string; guest: string}
  readonly boxNat: BoxNat
  /** Forward (or stop forwarding) UDP ports `[first, last]` of the box's public address to the box. */
  forwardUdp(range: readonly [number, number] | null): void
  /** Drop the guest's UDP: none, all but to `turn` (address:port list), or all. */
  setGuestUdp(mode: GuestUdp, turn?: readonly {address: string; port: number}[]): void
  /** Bring the box↔guest tailnet link up (100.64.0.0/10 addresses, box side named tailscale0) or down. */
  setTailnet(up: boolean): void
  /** Removes every namespace (and so every veth, route and iptables rule); kills what runs in them. */
  destroy(): void
}

const PREFIX = 'r58lab'

function sh(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  } catch (error) {
    const stderr = (error as {stderr?: string}).stderr ?? ''
    throw new Error(`lab: ${command} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`)
  }
}

const inNs = (ns: string, command: string, args: readonly string[]) => sh('ip', ['netns', 'exec', ns, command, ...args])
const ipn = (ns: string, ...args: string[]) => sh('ip', ['-n', ns, ...args])

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function existingNamespaces(): string[] {
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '')
}

/** Kills every process in `ns`, then deletes it. Never throws. */
function removeNamespace(ns: string): void {
  try {
    const pids = sh('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean)
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {
        // already gone
      }
    }
  } catch {
    // no such namespace
  }
  try {
    sh('ip', ['netns', 'del', ns])
  } catch {
    // already removed
  }
}

/** Namespaces of earlier runs whose process is gone (a crash, a SIGKILL). */
export function removeStaleLabNamespaces(): void {
  for (const ns of existingNamespaces()) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(ns)
    if (match && Number(match[1]) !== process.pid && !alive(Number(match[1]))) removeNamespace(ns)
  }
}

function link(a: {ns: string; name: string}, b: {ns: string; name: string}): void {
  ipn(a.ns, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.ns)
}

function up(ns: string, device: string, cidr?: string): void {
  if (cidr) ipn(ns, 'addr', 'add', cidr, 'dev', device)
  ipn(ns, 'link', 'set', device, 'up')
}

function routerSysctls(ns: string): void {
  inNs(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'])
}

type LabNames = NatLabNetwork['names']

/** The internet: a bridge in its own namespace, with coturn's address on it, and a port for each router. */
function buildInternet(names: LabNames): void {
  ipn(names.internet, 'link', 'add', 'br0', 'type', 'bridge')
  up(names.internet, 'br0', `${LAB_ADDRESSES.internet}/24`)
  // Like a host on the internet, coturn has a default route: a packet for a private address (a guest's LAN
  // candidate) leaves and is lost. Without it the send fails with "network unreachable", and in this lab
  // coturn then relayed nothing more for that allocation, to any peer.
  ipn(names.internet, 'route', 'add', 'default', 'dev', 'br0')
  for (const [router, port] of [
    [names.boxRouter, 'p-box'],
    [names.guestRouter, 'p-guest'],
  ] as const) {
    link({ns: names.internet, name: port}, {ns: router, name: 'wan'})
    ipn(names.internet, 'link', 'set', port, 'master', 'br0')
    up(names.internet, port)
  }
}

/** A host behind its NAT router: the router's WAN and LAN addresses, the host's default route via the router. */
function buildNattedHost(
  router: string,
  host: string,
  addresses: {public: string; routerLan: string; host: string},
): void {
  up(router, 'wan', `${addresses.public}/24`)
  link({ns: router, name: 'lan'}, {ns: host, name: 'eth0'})
  up(router, 'lan', `${addresses.routerLan}/24`)
  up(host, 'eth0', `${addresses.host}/24`)
  ipn(host, 'route', 'add', 'default', 'via', addresses.routerLan)
  routerSysctls(router)
}

/** The box behind its router, whose NAT is `boxNat` and which forwards the TCP ports `forwardTcp`. */
function buildBox(names: LabNames, boxNat: BoxNat, forwardTcp: readonly number[]): void {
  const a = LAB_ADDRESSES
  buildNattedHost(names.boxRouter, names.box, {public: a.boxPublic, routerLan: a.boxRouterLan, host: a.box})
  const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE']
  inNs(names.boxRouter, 'iptables', boxNat === 'symmetric' ? [...masquerade, '--random-fully'] : masquerade)
  for (const port of forwardTcp) {
    inNs(names.boxRouter, 'iptables', [
      ...['-t', 'nat', '-A', 'PREROUTING', '-i', 'wan', '-p', 'tcp', '--dport', String(port)],
      ...['-j', 'DNAT', '--to-destination', a.box],
    ])
  }
}

/** The guest behind its own router (port-restricted, the common home NAT). */
function buildGuest(names: LabNames): void {
  const a = LAB_ADDRESSES
  buildNattedHost(names.guestRouter, names.guest, {public: a.guestPublic, routerLan: a.guestRouterLan, host: a.guest})
  inNs(names.guestRouter, 'iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE'])
}

export function createNatLabNetwork(options: NatLabOptions): NatLabNetwork {
  removeStaleLabNamespaces()
  const id = `${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 6)}`
  const names: LabNames = {
    internet: `${id}-inet`,
    boxRouter: `${id}-bnat`,
    box: `${id}-box`,
    guestRouter: `${id}-gnat`,
    guest: `${id}-guest`,
  }
  const all = Object.values(names)
  const boxNat = options.boxNat ?? 'port-restricted'
  const destroy = () => {
    for (const ns of all) removeNamespace(ns)
  }
  try {
    for (const ns of all) {
      sh('ip', ['netns', 'add', ns])
      up(ns, 'lo')
    }
    buildInternet(names)
    buildBox(names, boxNat, options.forwardTcp)
    buildGuest(names)
    // The tailnet link exists from the start, down and without addresses until setTailnet(true).
    link({ns: names.box, name: 'tailscale0'}, {ns: names.guest, name: 'tailscale0'})
  } catch (error) {
    destroy()
    throw error
  }
  return {names, boxNat, ...labSwitches(names), destroy}
}

/** What a test flips on the built network: the box's UDP forward, the guest's UDP filter, the tailnet link. */
function labSwitches(names: LabNames): Pick<NatLabNetwork, 'forwardUdp' | 'setGuestUdp' | 'setTailnet'> {
  const a = LAB_ADDRESSES
  let forwarded: readonly [number, number] | null = null
  const forwardRule = (action: '-A' | '-D', range: readonly [number, number]) =>
    inNs(names.boxRouter, 'iptables', [
      ...['-t', 'nat', action, 'PREROUTING', '-i', 'wan', '-p', 'udp', '--dport', `${range[0]}:${range[1]}`],
      ...['-j', 'DNAT', '--to-destination', a.box],
    ])

  return {
    forwardUdp(range) {
      if (forwarded) forwardRule('-D', forwarded)
      forwarded = range
      if (range) forwardRule('-A', range)
    },
    setGuestUdp(mode, turn = []) {
      inNs(names.guest, 'iptables', ['-F', 'OUTPUT'])
      if (mode === 'open') return
      inNs(names.guest, 'iptables', ['-A', 'OUTPUT', '-o', 'lo', '-j', 'ACCEPT'])
      if (mode === 'turn-only') {
        for (const server of turn) {
          inNs(names.guest, 'iptables', [
            ...['-A', 'OUTPUT', '-p', 'udp', '-d', server.address, '--dport', String(server.port)],
            ...['-j', 'ACCEPT'],
          ])
        }
      }
      inNs(names.guest, 'iptables', ['-A', 'OUTPUT', '-p', 'udp', '-j', 'DROP'])
    },
    setTailnet(on) {
      for (const [ns, address] of [
        [names.box, a.boxTailnet],
        [names.guest, a.guestTailnet],
      ] as const) {
        if (on) up(ns, 'tailscale0', `${address}/10`)
        else {
          ipn(ns, 'link', 'set', 'tailscale0', 'down')
          ipn(ns, 'addr', 'flush', 'dev', 'tailscale0')
        }
      }
    },
  }
}
