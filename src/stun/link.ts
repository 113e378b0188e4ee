/**
 * The socket adapters under the STUN and TURN probes: a UDP port (one local socket, many destinations),
 * a connected UDP link, and a TCP or TLS stream link. Opening one is a probe step with its own deadline
 * and named failure (TCP connect, TLS handshake); closing one always frees the socket.
 */
import {createSocket, type Socket as UdpSocket} from 'node:dgram'
import {isIP, type Socket as TcpSocket, connect as tcpConnect} from 'node:net'
import {
  type ConnectionOptions,
  createSecureContext,
  type PeerCertificate,
  rootCertificates,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls'
import {R58Error} from '../errors.js'
import {type Endpoint, formatEndpoint} from '../net/endpoint.js'
import {StepFailure} from './outcome.js'
import {StreamFramer} from './stream-framer.js'
import {StunDemux, type TransactIo} from './transaction.js'

export type LinkTransport = 'udp' | 'tcp' | 'tls'

export interface TlsSettings {
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string | Buffer | undefined
  /** Accept any certificate (reported as a warning). */
  insecure?: boolean | undefined
}

export interface TlsInfo {
  protocol: string | null
  cipher: string | null
  /** True when the chain and the name verified. */
  authorized: boolean
  /** Why verification failed (Node/OpenSSL code), when it did. */
  authorizationError?: string
  /** The certificate's subject CN and subjectAltName entries. */
  subject?: string
  altNames?: string[]
  validTo?: string
  /** The name checked against the certificate. */
  servername: string
  insecure: boolean
}

/** A connection to one STUN/TURN server: send bytes to it, answers arrive through `demux`. */
export interface StunLink extends TransactIo {
  readonly transport: LinkTransport
  readonly local: Endpoint
  readonly remote: Endpoint
  readonly tls?: TlsInfo
  close(): Promise<void>
}

function udpType(address: string): 'udp4' | 'udp6' {
  return isIP(address) === 6 ? 'udp6' : 'udp4'
}

function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve())
    } catch {
      resolve() // already closed
    }
  })
}

function bindUdp(socket: UdpSocket, family: 'udp4' | 'udp6'): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({port: 0, address: family === 'udp4' ? '0.0.0.0' : '::', exclusive: true}, () => {
      socket.off('error', reject)
      resolve()
    })
  })
}

/** One unconnected local UDP socket that talks to several servers (NAT mapping tests, echo pinger). */
export class UdpPort {
  readonly demux = new StunDemux()
  readonly #socket: UdpSocket
  #closed: Promise<void> | undefined

  private constructor(socket: UdpSocket) {
    this.#socket = socket
    socket.on('message', (bytes, rinfo) => this.demux.deliver(bytes, {address: rinfo.address, port: rinfo.port}))
    // Unconnected sockets get no ICMP errors on Linux; anything else is fatal for the port.
    socket.on('error', (error) => this.demux.fail(error))
  }

  static async open(family: 'udp4' | 'udp6'): Promise<UdpPort> {
    const socket = createSocket({type: family})
    try {
      await bindUdp(socket, family)
    } catch (error) {
      await closeUdp(socket)
      throw error
    }
    return new UdpPort(socket)
  }

  get port(): number {
    return this.#socket.address().port
  }

  sendTo(bytes: Buffer, to: Endpoint): void {
    this.#socket.send(bytes, to.port, to.address)
  }

  /** A TransactIo view that sends to `remote` from this port. */
  to(remote: Endpoint): TransactIo {
    return {send: (bytes) => this.sendTo(bytes, remote), demux: this.demux, reliable: false, remote}
  }

  close(): Promise<void> {
    this.#closed ??= closeUdp(this.#socket)
    return this.#closed
  }
}

/**
 * The local address the OS would use towards `remote` (connecting a UDP socket sends nothing). Undefined
 * when there is no route.
 */
export async function localAddressTowards(remote: Endpoint): Promise<string | undefined> {
  const socket = createSocket({type: udpType(remote.address)})
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(remote.port, remote.address, () => resolve())
    })
    return socket.address().address
  } catch {
    return undefined
  } finally {
    await closeUdp(socket)
  }
}

/** A connected UDP socket: ICMP port unreachable surfaces at once as ECONNREFUSED instead of a timeout. */
export async function openUdpLink(remote: Endpoint): Promise<StunLink> {
  const family = udpType(remote.address)
  const socket = createSocket({type: family})
  const demux = new StunDemux()
  socket.on('message', (bytes, rinfo) => demux.deliver(bytes, {address: rinfo.address, port: rinfo.port}))
  socket.on('error', (error) => {
    const code = (error as {code?: string}).code
    demux.fail(
      code === 'ECONNREFUSED'
        ? new StepFailure(
            'stun-response',
            'unreachable',
            `UDP port ${formatEndpoint(remote)} unreachable (ICMP port unreachable)`,
            {
              hint: 'Is the server running, and listening on UDP on that port?',
              cause: error,
            },
          )
        : error,
    )
  })
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(remote.port, remote.address, () => {
        socket.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await closeUdp(socket)
    throw new StepFailure(
      'stun-response',
      'unreachable',
      `UDP to ${formatEndpoint(remote)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const local = socket.address()
  let closed: Promise<void> | undefined
  return {
    transport: 'udp',
    reliable: false,
    remote,
    local: {address: local.address, port: local.port},
    demux,
    send: (bytes) => socket.send(bytes),
    close: () => {
      closed ??= closeUdp(socket)
      return closed
    },
  }
}

export interface StreamLinkOptions {
  remote: Endpoint
  transport: 'tcp' | 'tls'
  /** The name the certificate must match (the URL's host). */
  servername: string
  tls?: TlsSettings
  timeoutMs: number
  signal?: AbortSignal | undefined
}

function destroyAndWait(socket: TcpSocket | TLSSocket): Promise<void> {
  if (socket.closed) return Promise.resolve()
  return new Promise((resolve) => {
    socket.once('close', () => resolve())
    socket.destroy()
  })
}

/** Runs `start` until `done` fires, failing the step on error, deadline or abort. */
function stepWithDeadline<T>(
  step: 'tcp-connect' | 'tls-handshake',
  what: string,
  options: StreamLinkOptions,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let detach = (): void => {}
    const finish = (fn: () => void) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      detach()
      fn()
    }
    const onAbort = () => finish(() => reject(new StepFailure(step, 'aborted', `${what}: cancelled`)))
    const timer = setTimeout(
      () => finish(() => reject(new StepFailure(step, 'timeout', `${what}: no answer within ${options.timeoutMs} ms`))),
      options.timeoutMs,
    )
    timer.unref()
    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, {once: true})
    detach = start(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    )
  })
}

function connectTcp(options: StreamLinkOptions): Promise<TcpSocket> {
  const where = formatEndpoint(options.remote)
  const socket = tcpConnect({host: options.remote.address, port: options.remote.port, noDelay: true})
  return stepWithDeadline<TcpSocket>('tcp-connect', `TCP connect to ${where}`, options, (resolve, reject) => {
    const onConnect = () => resolve(socket)
    const onError = (error: Error) => {
      const code = (error as {code?: string}).code ?? error.message
      const text = code === 'ECONNREFUSED' ? 'connection refused' : code
      reject(
        new StepFailure('tcp-connect', 'unreachable', `TCP connect to ${where}: ${text}`, {
          hint: 'Is the server running, and listening on TCP on that port? A firewall may also block it.',
          cause: error,
        }),
      )
    }
    socket.once('connect', onConnect)
    socket.once('error', onError)
    return () => {
      socket.off('connect', onConnect)
      socket.off('error', onError)
    }
  }).catch(async (error) => {
    await destroyAndWait(socket)
    throw error
  })
}

function certificateNames(cert: PeerCertificate | undefined): {subject?: string; altNames: string[]} {
  const cn = cert?.subject?.CN
  const subject = Array.isArray(cn) ? cn.join(', ') : cn
  const altNames = (cert?.subjectaltname ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
  return {...(subject !== undefined && {subject}), altNames}
}

/** Plain-language reason for a certificate that did not verify. */
export function describeCertificateProblem(
  code: string,
  servername: string,
  info: Pick<TlsInfo, 'subject' | 'altNames'>,
): string {
  const names = info.altNames?.length ? info.altNames.join(', ') : 'no subjectAltName'
  const holder = `CN=${info.subject ?? '(none)'} (${names})`
  switch (code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `certificate name mismatch: the certificate is for ${holder}, not ${servername}`
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `certificate not trusted: self-signed (${holder})`
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return `certificate not trusted: issuer unknown (${holder})`
    case 'CERT_HAS_EXPIRED':
      return `certificate expired (${holder})`
    case 'CERT_NOT_YET_VALID':
      return `certificate not yet valid (${holder})`
    default:
      return `certificate invalid: ${code} (${holder})`
  }
}

/** Node's roots plus one extra CA: parsing ~140 roots takes tens of milliseconds, so it is done once per CA. */
const contexts = new Map<string, SecureContext>()

function contextWithCa(ca: string): SecureContext {
  let context = contexts.get(ca)
  if (!context) {
    context = createSecureContext({ca: [...rootCertificates, ca]})
    contexts.set(ca, context)
  }
  return context
}

async function handshakeTls(tcp: TcpSocket, options: StreamLinkOptions): Promise<{socket: TLSSocket; info: TlsInfo}> {
  const where = formatEndpoint(options.remote)
  const insecure = options.tls?.insecure === true
  const connectOptions: ConnectionOptions = {
    socket: tcp,
    host: options.servername,
    // Verification is done below, so that a failure can name the certificate it saw.
    rejectUnauthorized: false,
    ...(isIP(options.servername) === 0 && {servername: options.servername}),
    ...(options.tls?.ca !== undefined && {secureContext: contextWithCa(options.tls.ca.toString())}),
  }
  const socket = tlsConnect(connectOptions)
  try {
    await stepWithDeadline<void>('tls-handshake', `TLS handshake with ${where}`, options, (resolve, reject) => {
      const onSecure = () => resolve()
      const onError = (error: Error) => {
        const code = (error as {code?: string}).code
        reject(
          new StepFailure(
            'tls-handshake',
            'tls-failed',
            `TLS handshake with ${where} failed: ${code ?? error.message}`,
            {
              hint: 'Is this port speaking TLS (turns:)? A plain TURN port needs turn:…?transport=tcp.',
              cause: error,
            },
          ),
        )
      }
      socket.once('secureConnect', onSecure)
      socket.once('error', onError)
      return () => {
        socket.off('secureConnect', onSecure)
        socket.off('error', onError)
      }
    })
  } catch (error) {
    await destroyAndWait(socket)
    throw error
  }
  const names = certificateNames(socket.getPeerCertificate())
  const validTo = socket.getPeerCertificate()?.valid_to
  const info: TlsInfo = {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? null,
    authorized: socket.authorized,
    ...(socket.authorizationError !== undefined &&
      socket.authorizationError !== null && {authorizationError: String(socket.authorizationError)}),
    ...names,
    ...(validTo !== undefined && {validTo}),
    servername: options.servername,
    insecure,
  }
  if (!info.authorized && !insecure) {
    await destroyAndWait(socket)
    const problem = describeCertificateProblem(info.authorizationError ?? 'unknown', options.servername, info)
    throw new StepFailure('tls-handshake', 'tls-failed', `TLS with ${where}: ${problem}`, {
      hint: 'Use a certificate valid for this name, trust its CA with --ca FILE, or accept it anyway with --insecure.',
    })
  }
  return {socket, info}
}

/** A TCP or TLS connection to a STUN/TURN server, framed into STUN messages. */
export async function openStreamLink(options: StreamLinkOptions): Promise<StunLink> {
  const tcp = await connectTcp(options)
  let socket: TcpSocket | TLSSocket = tcp
  let tls: TlsInfo | undefined
  if (options.transport === 'tls') {
    const secured = await handshakeTls(tcp, options)
    socket = secured.socket
    tls = secured.info
  }
  const demux = new StunDemux()
  const framer = new StreamFramer()
  const remote = options.remote
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const frame of framer.push(chunk)) demux.deliver(frame, remote)
    } catch (error) {
      demux.fail(new R58Error('E_PROTOCOL', `${formatEndpoint(remote)}: ${(error as Error).message}`))
      socket.destroy()
    }
  })
  socket.on('error', (error) => demux.fail(error))
  socket.on('close', () => {
    demux.fail(
      new StepFailure(
        'stun-response',
        'unreachable',
        `${formatEndpoint(remote)} closed the ${options.transport.toUpperCase()} connection`,
      ),
    )
  })
  return {
    transport: options.transport,
    reliable: true,
    remote,
    local: {address: tcp.localAddress ?? '', port: tcp.localPort ?? 0},
    demux,
    ...(tls !== undefined && {tls}),
    send: (bytes) => {
      if (!socket.destroyed) socket.write(bytes)
    },
    close: () => destroyAndWait(socket),
  }
}

/** Opens the link a URL asks for. */
export function openLink(
  options: StreamLinkOptions | (Omit<StreamLinkOptions, 'transport'> & {transport: 'udp'}),
): Promise<StunLink> {
  return options.transport === 'udp' ? openUdpLink(options.remote) : openStreamLink(options)
}
