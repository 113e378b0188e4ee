/**
 * The NAT lab's services on top of its network (src/sim/lab/netns/topology.ts): coturn on the "internet", the
 * MediaMTX stand-in on the box (real interfaces, reloading its mediamtx.yml), and the ways a test runs
 * things in a namespace: r58 itself (bin/dev.js), the Calls emulator and relay, and the third-party guests
 * (GStreamer's whip-client, headless Chromium). Every process is a child of `ip netns exec`; the test process
 * only reads their output, so its network guard stays strict. `close()` removes everything, also after a
 * failure; the namespaces go with it.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {makeSelfSignedCertificate} from '../../../src/sim/lab/certificate.js'
import {jsonLines, type NamespaceProcess, spawnInNamespace} from '../../../src/sim/lab/netns/process.js'
import {
  type BoxNat,
  createNatLabNetwork,
  LAB_ADDRESSES,
  type NatLabNetwork,
} from '../../../src/sim/lab/netns/topology.js'
import {SESSION_PORT_SPAN} from '../../../src/sim/mediamtx/network.js'
import type {ChromiumGuestResult} from './chromium-guest.js'

const ROOT = resolve(import.meta.dirname, '../../..')
export const WHIP_PORT = 8889
export const RELAY_PORT = 8890
export const UDP_PORT = 8189
export const TURN_PORT = 3478
export const TURN_USER = 'guest'
export const TURN_PASSWORD = 'lab-turn-password-0123'
/** The box's WHIP base URL as a remote guest reaches it: the public address, TCP forwarded (the tunnel). */
export const PUBLIC_WHIP = `http://${LAB_ADDRESSES.boxPublic}:${WHIP_PORT}`
export const TURN_UDP = `turn:${LAB_ADDRESSES.internet}:${TURN_PORT}?transport=udp`
export const TURN_TCP = `turn:${LAB_ADDRESSES.internet}:${TURN_PORT}?transport=tcp`

/** MediaMTX as installed on the studio box: LAN host candidates only, no TURN. */
export const BOX_MEDIAMTX_YML = `# r58 NAT lab: the studio box
webrtc: yes
webrtcAddress: :${WHIP_PORT}
webrtcLocalUDPAddress: :${UDP_PORT}
webrtcLocalTCPAddress: ''
webrtcIPsFromInterfaces: yes
webrtcIPsFromInterfacesList: []
webrtcAdditionalHosts: []
webrtcICEServers2: []
webrtcHandshakeTimeout: 8s
api: yes
apiAddress: 127.0.0.1:9997
paths:
  all_others:
`

export interface NatLab {
  net: NatLabNetwork
  dir: string
  configPath: string
  standin: NamespaceProcess
  coturn: NamespaceProcess
  /** Runs r58 in a namespace and returns its --json envelope (and exit code). */
  r58(ns: string, argv: readonly string[], env?: Record<string, string>): Promise<R58Run>
  /** Starts a long-running r58 command in a namespace (relay, Calls emulator). */
  r58Process(ns: string, name: string, argv: readonly string[], env?: Record<string, string>): NamespaceProcess
  /** Publishes with Chromium from the guest namespace. */
  chromium(input: {
    path: string
    iceServers: {urls: string | string[]; username?: string; credential?: string}[] | 'link'
    iceTransportPolicy?: 'all' | 'relay'
    /** WHIP endpoint instead of the box's public `<path>/whip`. */
    whipUrl?: string
    token?: string
    /** Keep publishing until this settles (default: stop as soon as the result is in). */
    until?: Promise<unknown>
  }): Promise<ChromiumGuestResult>
  /** Publishes with GStreamer's whip-client from the guest namespace; the stand-in says what arrived. */
  whipClient(input: {
    path: string
    args?: readonly string[]
    /** Base URL instead of the box's public address (`<base>/<path>/whip`). */
    baseUrl?: string
    /** The whole WHIP endpoint (the relay's `/whip/<path>`); the stand-in still sees `path`. */
    url?: string
  }): Promise<StandinOutcome>
  /** Waits for the stand-in's verdict on the next session of `path`: media arrived, or the session ended. */
  standinOutcome(path: string, timeoutMs: number): Promise<StandinOutcome>
  /** Waits until the stand-in has reloaded its configuration `count` times in total. */
  waitReloads(count: number, timeoutMs: number): Promise<void>
  close(): Promise<void>
}

export interface R58Run {
  exitCode: number | null
  envelope: {ok: boolean; exitCode: number; result?: Record<string, unknown>; error?: {message: string}}
  stderr: string
}

/** What the stand-in saw of one session: whether media arrived (the path became ready), and the pair. */
export interface StandinOutcome {
  mediaArrived: boolean
  localCandidate: string
  remoteCandidate: string
  /** Why the session ended, when it did without media. */
  reason: string | null
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('R58_')) env[key] = value
  return {...env, XDG_CONFIG_HOME: join(tmpdir(), 'r58-lab-xdg'), NO_COLOR: '1', ...extra}
}

/** whip-client's `[ERR]` lines, without their colour codes. */
function errorLines(lines: readonly string[]): string {
  const esc = String.fromCharCode(27)
  const plain = lines
    .filter((l) => l.includes('[ERR]'))
    .map((l) =>
      l
        .split(esc)
        .join('')
        .replace(/\[[0-9;]*m/g, ''),
    )
  return plain.join('; ') || 'no error printed'
}

const tsx = (script: string, args: readonly string[]) => [process.execPath, '--import', 'tsx', script, ...args]

export async function startNatLab(options: {boxNat?: BoxNat} = {}): Promise<NatLab> {
  const net = createNatLabNetwork({
    forwardTcp: [WHIP_PORT, RELAY_PORT],
    ...(options.boxNat && {boxNat: options.boxNat}),
  })
  const dir = mkdtempSync(join(tmpdir(), 'r58-natlab-'))
  const processes: NamespaceProcess[] = []
  const started = (p: NamespaceProcess) => {
    processes.push(p)
    return p
  }
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    process.off('exit', onExit)
    await Promise.all(processes.map((p) => p.stop(2000)))
    net.destroy()
    rmSync(dir, {recursive: true, force: true})
  }
  // A worker that dies still removes the namespaces (and with them every process in them).
  const onExit = () => net.destroy()
  process.once('exit', onExit)
  try {
    const certificate = await makeSelfSignedCertificate({dir, altNames: [`IP:${LAB_ADDRESSES.internet}`]})
    const coturnConf = join(dir, 'turnserver.conf')
    writeFileSync(
      coturnConf,
      [
        `listening-ip=${LAB_ADDRESSES.internet}`,
        `relay-ip=${LAB_ADDRESSES.internet}`,
        `listening-port=${TURN_PORT}`,
        'tls-listening-port=5349',
        'min-port=49152',
        'max-port=49999',
        'realm=r58.lab',
        'lt-cred-mech',
        `user=${TURN_USER}:${TURN_PASSWORD}`,
        'fingerprint',
        'no-cli',
        'no-dtls',
        'no-tcp-relay',
        'no-rfc5780',
        'no-multicast-peers',
        `cert=${certificate.certPath}`,
        `pkey=${certificate.keyPath}`,
        'log-file=stdout',
        'simple-log',
        'verbose',
        `pidfile=${join(dir, 'turnserver.pid')}`,
        `userdb=${join(dir, 'turndb')}`,
      ].join('\n'),
      {mode: 0o600},
    )
    // whip-client needs libnice without libsoup 3 (see gupnp-igd-stub.c).
    execFileSync('gcc', [
      ...['-shared', '-fPIC', '-o', join(dir, 'libgupnp-igd-1.0.so.4')],
      ...[join(ROOT, 'test/lab/support/gupnp-igd-stub.c'), '-Wl,-soname,libgupnp-igd-1.0.so.4'],
    ])
    const coturn = started(spawnInNamespace(net.names.internet, 'coturn', ['turnserver', '-c', coturnConf]))
    const configPath = join(dir, 'mediamtx.yml')
    writeFileSync(configPath, BOX_MEDIAMTX_YML)
    const standin = started(
      spawnInNamespace(
        net.names.box,
        'stand-in',
        tsx(join(ROOT, 'bin/dev.js'), [
          'mediamtx',
          'standin',
          '--file',
          configPath,
          '--network',
          'interfaces',
          '--json',
        ]),
        {env: cleanEnv(), cwd: ROOT},
      ),
    )
    await Promise.all([
      coturn.waitForLine((l) => /TCP listener opened on\s*:?\s*198\.18\.0\.1:3478/.test(l), 20_000, 'coturn listening'),
      standin.waitForLine((l) => l.includes('"standin.started"'), 60_000, 'stand-in started'),
    ])

    const r58 = async (ns: string, argv: readonly string[], env: Record<string, string> = {}): Promise<R58Run> => {
      const child = spawnInNamespace(ns, `r58 ${argv.slice(0, 2).join(' ')}`, tsx(join(ROOT, 'bin/dev.js'), argv), {
        env: cleanEnv(env),
        cwd: ROOT,
      })
      processes.push(child)
      const exitCode = await child.exited
      const stdout = child.lines.filter((l) => !l.startsWith('! ')).join('\n')
      const stderr = child.lines.filter((l) => l.startsWith('! ')).join('\n')
      let envelope: R58Run['envelope'] | undefined
      try {
        envelope = JSON.parse(stdout.slice(stdout.indexOf('{'))) as R58Run['envelope']
      } catch {
        envelope = undefined
      }
      if (!envelope) throw new Error(`r58 ${argv.join(' ')}: no JSON envelope (exit ${exitCode})\n${stderr}`)
      return {exitCode, envelope, stderr}
    }

    let reloads = 0
    const countReloads = () => {
      reloads = jsonLines(standin.lines).filter((o) => o['event'] === 'standin.config.reloaded').length
      return reloads
    }

    const standinOutcome = async (path: string, timeoutMs: number): Promise<StandinOutcome> => {
      const isPath = (o: Record<string, unknown>) => o['path'] === path
      const line = await standin.waitForLine(
        (l) =>
          l.includes(`"path":"${path}"`) &&
          (l.includes('"standin.path.ready"') || l.includes('"standin.session.closed"')),
        timeoutMs,
        `media or a closed session on ${path}`,
      )
      const events = jsonLines(standin.lines).filter(isPath)
      const connected = events.find((o) => o['event'] === 'standin.session.connected')
      const ready = line.includes('"standin.path.ready"')
      const closedEvent = events.find((o) => o['event'] === 'standin.session.closed')
      return {
        mediaArrived: ready,
        localCandidate: String(connected?.['localCandidate'] ?? ''),
        remoteCandidate: String(connected?.['remoteCandidate'] ?? ''),
        reason: ready ? null : String(closedEvent?.['reason'] ?? ''),
      }
    }

    return {
      net,
      dir,
      configPath,
      standin,
      coturn,
      r58,
      r58Process: (ns, name, argv, env = {}) =>
        started(spawnInNamespace(ns, name, tsx(join(ROOT, 'bin/dev.js'), argv), {env: cleanEnv(env), cwd: ROOT})),
      async chromium(input) {
        const args = {
          whipUrl: input.whipUrl ?? `${PUBLIC_WHIP}/${input.path}/whip`,
          iceServers: input.iceServers,
          iceTransportPolicy: input.iceTransportPolicy ?? 'all',
          ...(input.token !== undefined && {token: input.token}),
          timeoutMs: 15_000,
        }
        const child = started(
          spawnInNamespace(
            net.names.guest,
            'chromium guest',
            tsx(join(ROOT, 'test/lab/support/chromium-guest.ts'), [JSON.stringify(args)]),
            {env: cleanEnv({TMPDIR: dir}), cwd: ROOT, stdin: true},
          ),
        )
        let line: string
        try {
          line = await child.waitForLine((l) => l.startsWith('{"chromium"'), 90_000, 'a Chromium result')
          await input.until?.catch(() => {})
        } finally {
          child.endInput()
        }
        await child.exited
        return (JSON.parse(line) as {chromium: ChromiumGuestResult}).chromium
      },
      async whipClient(input) {
        const outcome = standinOutcome(input.path, 60_000)
        const child = started(
          spawnInNamespace(
            net.names.guest,
            'whip-client',
            [
              'whip-client',
              '--url',
              input.url ?? `${input.baseUrl ?? PUBLIC_WHIP}/${input.path}/whip`,
              '--video',
              'videotestsrc is-live=true pattern=ball ! videoconvert ! queue ! vp8enc deadline=1 cpu-used=8 ! rtpvp8pay pt=96 ssrc=2 ! queue ! application/x-rtp,media=video,encoding-name=VP8,payload=96',
              '--log-level',
              '3',
              '--no-trickle',
              ...(input.args ?? []),
            ],
            {env: {...process.env, LD_LIBRARY_PATH: dir}},
          ),
        )
        // whip-client giving up before any session (an HTTP error) is a failed publish too; once the stand-in
        // has a session for the path, its outcome decides.
        const hasSession = () =>
          standin.lines.some((l) => l.includes('"standin.session.created"') && l.includes(`"path":"${input.path}"`))
        const gone = child.exited.then((code): Promise<StandinOutcome> | StandinOutcome =>
          hasSession()
            ? outcome
            : {
                mediaArrived: false,
                localCandidate: '',
                remoteCandidate: '',
                reason: `whip-client exited (${code}) before any session: ${errorLines(child.lines)}`,
              },
        )
        outcome.catch(() => {})
        try {
          return await Promise.race([outcome, gone])
        } finally {
          await child.stop(2000)
        }
      },
      standinOutcome,
      async waitReloads(count, timeoutMs) {
        if (countReloads() >= count) return
        await standin.waitForLine(() => countReloads() >= count, timeoutMs, `${count} configuration reloads`)
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

export {SESSION_PORT_SPAN}
