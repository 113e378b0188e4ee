/**
 * What the fuzz suites share: a seeded PRNG (a failure replays with the same seed), SDP and header-shape
 * mutations, raw HTTP over a socket (shapes `fetch` refuses to send), and the resource counts that must come
 * back to their baseline.
 */
import {readdirSync} from 'node:fs'
import {connect} from 'node:net'

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T
  return {next, int, pick}
}

export type Rand = ReturnType<typeof prng>

const SDP_INSERTS = [
  'a=bundle-only',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:0',
  'garbage',
  'a=',
  '=',
  'a=candidate:x',
  'a=rtpmap:96 VP8',
  'a=rtpmap:abc def/ghi',
  'a=fingerprint:sha-256 ZZ',
  'a=setup:bogus',
  'a=ice-ufrag:',
  'a=ssrc:4294967296 cname:x',
  'a=extmap:99999 urn:x',
  `a=x-long:${'y'.repeat(3000)}`,
  'c=IN IP6 ::::',
  'm=audio 70000 UDP/TLS/RTP/SAVPF 111',
  'a=rtcp-fb:* nack',
  'a=fmtp:96 profile-level-id=zzzzzz',
  'a=group:BUNDLE 0 1 2 3 4 5',
  'a=msid:- -',
  'a=simulcast:send h;m;l',
  'a=rid:h send',
]

/** One to three line-level mutations of an SDP (delete, duplicate, move, renumber, truncate, insert, swap). */
export function mutateSdp(rand: Rand, sdp: string): string {
  const lines = sdp.split('\r\n').filter(Boolean)
  const rounds = 1 + rand.int(3)
  for (let r = 0; r < rounds; r++) {
    const i = rand.int(lines.length)
    const line = lines[i] ?? ''
    switch (rand.int(10)) {
      case 0:
        lines.splice(i, 1)
        break
      case 1:
        lines.splice(i, 0, line)
        break
      case 2:
        lines.splice(rand.int(lines.length), 0, lines.splice(i, 1)[0] ?? '')
        break
      case 3:
        lines[i] = line.replace(/\d+/, String(rand.pick([0, 65536, 4294967296, 99999999999, -1, 1e21])))
        break
      case 4:
        lines[i] = line.slice(0, rand.int(line.length + 1))
        break
      case 5:
        lines.splice(i, 0, rand.pick(SDP_INSERTS))
        break
      case 6:
        lines[i] = line.replace(/sendonly|recvonly|sendrecv/, rand.pick(['inactive', 'sendrecv', 'recvonly']))
        break
      case 7:
        lines[i] = line.replace(/UDP\/TLS\/RTP\/SAVPF/, rand.pick(['RTP/AVP', 'UDP/DTLS/SCTP', 'TCP/DTLS/RTP/SAVPF']))
        break
      case 8: {
        const at = rand.int(line.length + 1)
        lines[i] = line.slice(0, at) + String.fromCharCode(rand.int(0x10000)) + line.slice(at)
        break
      }
      default:
        lines[i] = line.replace(/[a-z]/, 'Z')
    }
  }
  const joiner = rand.next() < 0.1 ? rand.pick(['\n', '\r', '\r\r\n']) : '\r\n'
  return `${lines.join(joiner)}\r\n`
}

export interface RawReply {
  /** 0 when the server closed without an HTTP answer (allowed: it refused to parse). */
  status: number
  text: string
}

/** Sends raw bytes, half-closes, and reads until the server closes (or `timeoutMs`, which is a failure). */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms to ${String(request).slice(0, 200)}`))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('latin1')
      // The final answer: `Expect: 100-continue` gets an interim 100 first.
      const finals = [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1])).filter((s) => s >= 200)
      const status = finals[0] ?? 0
      resolve({status, text})
    }
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', () => socket.destroy())
    socket.on('close', done)
    socket.end(request)
  })
}

/** The header shapes a hostile client tries: duplicates, bad lengths, odd encodings, huge and empty values. */
export function headerShape(rand: Rand, tokens: readonly string[]): string[] {
  const token = rand.pick(tokens)
  return rand.pick([
    [`authorization: Bearer ${token}`, `authorization: Bearer ${rand.pick(tokens)}`],
    [`authorization: bearer    ${token}   `],
    [`authorization: Basic ${Buffer.from(`user:${token}`).toString('base64')}`],
    [`authorization: Bearer ${token}${'x'.repeat(rand.int(5000))}`],
    ['authorization: Bearer'],
    ['authorization:'],
    [`x-junk: ${'a'.repeat(20_000)}`],
    ['content-length: abc'],
    ['content-length: -1'],
    ['content-length: 5', 'content-length: 6'],
    ['content-length: 99999999999999999999'],
    ['transfer-encoding: chunked', 'content-length: 3'],
    ['transfer-encoding: gzip, chunked'],
    ['transfer-encoding: identity'],
    ['content-type: application/sdp; charset=utf-16'],
    ['content-type: APPLICATION/SDP'],
    ['content-type: '],
    ['content-type: multipart/form-data; boundary=x'],
    ['origin: null'],
    ['origin: https://evil.example'],
    ['cf-connecting-ip: 999.1.1.1', 'x-forwarded-for: , , ,'],
    [`x-forwarded-for: ${Array.from({length: 300}, (_, i) => `10.0.${i % 256}.1`).join(', ')}`],
    ['if-match: *'],
    ['expect: 100-continue'],
    ['connection: upgrade', 'upgrade: websocket'],
    ['host: '],
    ['\u0000bad-name: x'],
    ['no-colon-header'],
    [' folded: header', '\tcontinued'],
    ['accept: */*'],
  ])
}

export const odd = (rand: Rand) =>
  rand.pick([
    '',
    'v=0',
    '{}',
    '{"sessionId": "x", "trackNames": ["a"], "path": "p"}',
    '\u0000\u0001\u0002',
    'x'.repeat(70_000),
    '%%%',
    '<html><script>alert(1)</script></html>',
    '\uffff\ud800',
    'a=end-of-candidates\r\n',
  ])

/** Open file descriptors of this process (sockets included). */
export const openFds = (): number => readdirSync('/proc/self/fd').length

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function settles(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}
