/** A relay engine that records what the ingress asks of it, for testing the HTTP front on its own. */
import {randomBytes} from 'node:crypto'
import {request} from 'node:http'
import type {OpenSessionInput, RelayEngine, RelaySessionInfo} from '../../../src/relay/engine.js'

export const OFFER = [
  'v=0',
  'o=- 1 1 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789012345678901',
  'a=setup:actpass',
  'a=sendonly',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789012345678901',
  'a=setup:actpass',
  'a=sendonly',
  'a=rtcp-mux',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n')

export class RecordingEngine implements RelayEngine {
  sessions = new Map<string, RelaySessionInfo>()
  opened: OpenSessionInput[] = []
  closed: string[] = []
  /** Time `open` takes (a Calls round trip). */
  openDelayMs = 0
  /** When set, `open` fails with this error (after the delay). */
  failWith: Error | undefined

  async open(input: OpenSessionInput) {
    this.opened.push(input)
    if (this.openDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.openDelayMs))
    if (this.failWith) throw this.failWith
    const id = randomBytes(16).toString('base64url')
    this.sessions.set(id, {
      id,
      path: input.path,
      guest: input.guest,
      state: 'live',
      since: new Date(0).toISOString(),
      tracks: [],
      legs: {fromCalls: {packets: 1, bytes: 2, lost: 0}, toMediamtx: {packets: 1, bytes: 2, lost: 0}},
      keyframeRequests: 0,
      republishes: 0,
      lastError: null,
    })
    return {id, answer: 'v=0\r\nanswer'}
  }
  async pull() {
    return {id: 'pulled'}
  }
  async close(id: string) {
    this.closed.push(id)
    return this.sessions.delete(id)
  }
  has(id: string) {
    return this.sessions.has(id)
  }
  list() {
    return [...this.sessions.values()]
  }
  async iceServers() {
    return [{urls: 'stun:stun.example.test:3478'}]
  }
  async shutdown() {}
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request on a fresh connection (no keep-alive pool), resolving with the whole answer. */
export function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {method, headers, agent: false}, (res) => {
      let text = ''
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: text}))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

/** The session id at the end of a Location header. */
export const sessionIdOf = (reply: Reply) => String(reply.headers['location']).split('/').pop() ?? ''
