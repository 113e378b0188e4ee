/**
 * A real coturn on loopback, for tests, benchmarks, examples and (later) `r58 diagnose --lab`: free ports,
 * UDP + TCP + TLS listeners, a self-signed certificate made on the spot, long-term credentials (or a REST
 * shared secret: coturn cannot do both at once, `use-auth-secret` overrides user/password). Waits until it
 * answers a STUN Binding; `stop()` ends it and removes its files.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {createSocket} from 'node:dgram'
import {accessSync, constants} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {R58Error} from '../../errors.js'
import {UdpPort} from '../../stun/link.js'
import {bindingRequest} from '../../stun/message.js'
import {transact} from '../../stun/transaction.js'
import {waitExit} from '../../util/child-process.js'
import {type LabCertificate, makeSelfSignedCertificate} from './certificate.js'

export interface CoturnOptions {
  /** Long-term credential (default user `r58`, a random password), or a REST shared secret instead. */
  auth?: {username: string; password: string} | {secret: string}
  realm?: string
  /** Certificate for the TLS listener (default: self-signed for localhost and 127.0.0.1). */
  certificate?: LabCertificate
  /** Also listen on 127.0.0.2, which turns on RFC 5780 (OTHER-ADDRESS) in coturn. Linux only. */
  rfc5780?: boolean
  /** Let the relay send to loopback peers (default true; the echo test needs it on loopback). */
  allowLoopbackPeers?: boolean
  /**
   * Address the relayed allocations get (default 127.0.0.1). The lab relays from 127.0.0.2 and refuses
   * 127.0.0.1 as a peer, so that, as in the field, a guest's relay cannot reach MediaMTX's host candidates.
   */
  relayIp?: string
  /** Extra turnserver.conf lines, e.g. `user-quota=1`. */
  extraConfig?: readonly string[]
  /** Path of turnserver (default: found on PATH). */
  binary?: string
  /** Where to look for turnserver instead of PATH and the usual sbin directories. */
  searchPath?: string
  startTimeoutMs?: number
}

export interface CoturnLab {
  /** stun:127.0.0.1:PORT */
  stunUrl: string
  /** turn:…?transport=udp, turn:…?transport=tcp, turns:…?transport=tcp */
  turnUrls: {udp: string; tcp: string; tls: string}
  /** With rfc5780: the second listener, stun:127.0.0.2:PORT. */
  altStunUrl?: string
  ports: {listening: number; tls: number}
  /** Long-term user and password (with `secret`: empty; mint REST credentials from it). */
  username: string
  credential: string
  secret?: string
  realm: string
  certificate: LabCertificate
  /** coturn's log file (gone after stop()). */
  logFile: string
  pid: number
  stop(): Promise<void>
}

const SEARCH_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/homebrew/bin']

/**
 * The turnserver binary on PATH or in the usual sbin directories (only in `path`, when given); undefined when
 * coturn is not installed.
 */
export function findTurnserver(path?: string): string | undefined {
  const dirs =
    path === undefined ? [...(process.env['PATH'] ?? '').split(delimiter), ...SEARCH_DIRS] : path.split(delimiter)
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, 'turnserver')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

function canBind(kind: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen({port, host, exclusive: true}, () => server.close(() => resolve(true)))
      return
    }
    const socket = createSocket('udp4')
    socket.once('error', () => {
      socket.close()
      resolve(false)
    })
    socket.bind({port, address: host, exclusive: true}, () => socket.close(() => resolve(true)))
  })
}

/** Four consecutive ports (listening, alt, TLS, alt TLS) free on UDP and TCP, below the ephemeral range. */
async function freePortBlock(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20000 + 4 * Math.floor(Math.random() * 3000)
    const checks = hosts.flatMap((host) =>
      [0, 1, 2, 3].flatMap((i) => [canBind('udp', host, base + i), canBind('tcp', host, base + i)]),
    )
    if ((await Promise.all(checks)).every(Boolean)) return base
  }
  throw new R58Error('E_CONFIG', 'no free block of four ports for coturn in 20000–32000')
}

function configText(lines: Record<string, string | number | true | undefined>, extra: readonly string[]): string {
  const out: string[] = []
  for (const [key, value] of Object.entries(lines)) {
    if (value === undefined) continue
    out.push(value === true ? key.replace(/#\d+$/, '') : `${key.replace(/#\d+$/, '')}=${value}`)
  }
  return `${[...out, ...extra].join('\n')}\n`
}

async function answersBinding(port: number): Promise<boolean> {
  const udp = await UdpPort.open('udp4')
  try {
    await transact(bindingRequest(), udp.to({address: '127.0.0.1', port}), {
      timeoutMs: 200,
      step: 'coturn ready',
      rtoMs: 50,
    })
    return true
  } catch {
    return false
  } finally {
    await udp.close()
  }
}

async function logTail(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-15).join('\n')
  } catch {
    return '(no log)'
  }
}

type CoturnAuth = NonNullable<CoturnOptions['auth']>

/** turnserver.conf for the listeners at `port`…`port + 3`, with `auth`'s credential mechanism. */
function coturnConfig(
  options: CoturnOptions,
  files: {dir: string; logFile: string; certificate: LabCertificate},
  port: number,
  realm: string,
  auth: CoturnAuth,
): string {
  const rest = 'secret' in auth
  return configText(
    {
      'listening-ip#1': '127.0.0.1',
      'listening-ip#2': options.rfc5780 ? '127.0.0.2' : undefined,
      'relay-ip': options.relayIp ?? '127.0.0.1',
      'listening-port': port,
      'alt-listening-port': port + 1,
      'tls-listening-port': port + 2,
      'alt-tls-listening-port': port + 3,
      realm,
      'lt-cred-mech': rest ? undefined : true,
      user: rest ? undefined : `${auth.username}:${auth.password}`,
      'use-auth-secret': rest ? true : undefined,
      'static-auth-secret': rest ? auth.secret : undefined,
      'allow-loopback-peers': options.allowLoopbackPeers === false ? undefined : true,
      'no-multicast-peers': true,
      'no-rfc5780': options.rfc5780 ? undefined : true,
      'no-cli': true,
      'no-dtls': true,
      'no-tcp-relay': true,
      fingerprint: true,
      cert: files.certificate.certPath,
      pkey: files.certificate.keyPath,
      'log-file': files.logFile,
      'simple-log': true,
      'no-stdout-log': true,
      pidfile: join(files.dir, 'turnserver.pid'),
      userdb: join(files.dir, 'turndb'),
    },
    options.extraConfig ?? [],
  )
}

/** turnserver running on `conf`; stop() ends it (SIGTERM, then SIGKILL) and removes `dir`. */
function spawnCoturn(binary: string, conf: string, dir: string): {child: ChildProcess; stop: () => Promise<void>} {
  const child = spawn(binary, ['-c', conf], {stdio: 'ignore'})
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', killOnExit)
      child.kill('SIGTERM')
      if (!(await waitExit(child, 3000))) {
        child.kill('SIGKILL')
        await waitExit(child, 3000)
      }
      await rm(dir, {recursive: true, force: true})
    })()
    return stopped
  }
  return {child, stop}
}

/** Waits until coturn answers a Binding on `port`; stops it and throws with its log's tail if it never does. */
async function waitUntilAnswering(
  coturn: {child: ChildProcess; stop: () => Promise<void>},
  port: number,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const {child} = coturn
  const deadline = Date.now() + timeoutMs
  let spawnError: Error | undefined
  child.once('error', (error) => {
    spawnError = error
  })
  while (!(await answersBinding(port))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      const log = await logTail(logFile)
      await coturn.stop()
      throw new R58Error(
        'E_CONFIG',
        `coturn did not start: ${spawnError?.message ?? `exit ${child.exitCode ?? 'none'}`}\n${log}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function startCoturn(options: CoturnOptions = {}): Promise<CoturnLab> {
  const binary = options.binary ?? findTurnserver(options.searchPath)
  if (!binary) {
    throw new R58Error('E_CONFIG', 'coturn is not installed: no turnserver on PATH', {
      hint: 'Install it: apt-get install coturn (Debian/Ubuntu), brew install coturn (macOS).',
    })
  }
  const dir = await mkdtemp(join(tmpdir(), 'r58-coturn-'))
  const certificate = options.certificate ?? (await makeSelfSignedCertificate({dir}))
  const hosts = options.rfc5780 ? ['127.0.0.1', '127.0.0.2'] : ['127.0.0.1']
  const port = await freePortBlock(hosts)
  const tlsPort = port + 2
  const realm = options.realm ?? 'r58.lab'
  const auth = options.auth ?? {username: 'r58', password: randomBytes(12).toString('base64url')}
  const logFile = join(dir, 'turnserver.log')
  const conf = join(dir, 'turnserver.conf')
  const rest = 'secret' in auth
  await writeFile(conf, coturnConfig(options, {dir, logFile, certificate}, port, realm, auth), {mode: 0o600})
  const coturn = spawnCoturn(binary, conf, dir)
  await waitUntilAnswering(coturn, port, logFile, options.startTimeoutMs ?? 10_000)
  const host = '127.0.0.1'
  return {
    stunUrl: `stun:${host}:${port}`,
    turnUrls: {
      udp: `turn:${host}:${port}?transport=udp`,
      tcp: `turn:${host}:${port}?transport=tcp`,
      tls: `turns:${host}:${tlsPort}?transport=tcp`,
    },
    ...(options.rfc5780 && {altStunUrl: `stun:127.0.0.2:${port}`}),
    ports: {listening: port, tls: tlsPort},
    username: rest ? '' : auth.username,
    credential: rest ? '' : auth.password,
    ...(rest && {secret: auth.secret}),
    realm,
    certificate,
    logFile,
    pid: coturn.child.pid ?? 0,
    stop: coturn.stop,
  }
}
