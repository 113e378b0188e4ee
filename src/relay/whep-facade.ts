/**
 * The relay's WHEP façade for `whep` mode: MediaMTX (a path with `source: whep://…`) is the WHEP client and
 * sends its own offer; the façade turns that into one Calls request (`tracks/new` with the guest's published
 * tracks as remote tracks plus MediaMTX's offer: Calls answers directly, docs/whep-mode.md) and returns Calls'
 * answer. MediaMTX then connects to Calls itself: the media never enters this process.
 *
 *   POST   /whep/<path>[?token=…]            offer → 201 answer, Location /whep/<path>/session/<id>
 *   PATCH  /whep/<path>/session/<id>         trickle: 204 (Calls is ICE-lite and learns MediaMTX's address
 *                                            from its checks); an ICE restart gets 422 (Calls has none)
 *   DELETE /whep/<path>/session/<id>         closes the pulled tracks on Calls
 *
 * Only MediaMTX may use it: the façade has its own listener (loopback by default) and each guest's URL carries
 * a random token, in the query (MediaMTX requests the source URL as written) or as `Authorization: Bearer`
 * (`whepBearerToken`, MediaMTX v1.16.2+). One pull per guest at a time: a new POST replaces the previous pull,
 * as MediaMTX has one source per path and re-pulls after losing it.
 */
import {randomBytes, randomUUID, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {CallsClient} from '../calls/calls-client.js'
import {isCallsError, isSessionGone} from '../calls/calls-errors.js'
import {BodyTooLargeError, mediaType, readBody} from '../net/http-body.js'
import {replyJson} from '../net/http-reply.js'
import {documentAttributeValues, parseSdpDocument} from '../sdp/sdp-document.js'
import type {Log} from '../util/log.js'

/** A guest's published tracks on Calls, as MediaMTX may pull them. */
export interface WhepSource {
  /** The MediaMTX path name the guest appears under. */
  path: string
  token: string
  calls: {sessionId: string; tracks: {trackName: string; kind?: 'audio' | 'video'}[]}
}

export interface WhepPull {
  id: string
  callsSessionId: string
  mids: string[]
  created: string
  /** MediaMTX's ICE username fragment from its offer: a PATCH with another one asks for an ICE restart. */
  ufrag: string | null
}

interface Entry {
  source: WhepSource
  pull: WhepPull | undefined
  pulls: number
  lastError: string | null
}

export interface WhepFacadeOptions {
  calls: CallsClient
  log: Log
  /** How long a POST waits for the guest's tracks to be published on Calls. Default 5000 ms. */
  waitForPublisherMs?: number
  maxSdpBytes?: number
}

class FacadeError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const sameToken = (given: string, expected: string) => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The first `a=ice-ufrag` of an offer or fragment (any line end), up to white space; null when there is none. */
const iceUfrag = (sdp: string): string | null =>
  documentAttributeValues(parseSdpDocument(sdp, {anyLineEnd: true}), 'ice-ufrag')
    .map((value) => /^\S+/.exec(value)?.[0])
    .find((ufrag) => ufrag !== undefined) ?? null

/** A fresh per-guest token for the source URL. */
export const newWhepToken = (): string => randomBytes(24).toString('hex')

export class WhepFacade {
  readonly #options: WhepFacadeOptions
  readonly #entries = new Map<string, Entry>()

  constructor(options: WhepFacadeOptions) {
    this.#options = options
  }

  register(source: WhepSource): void {
    this.#entries.set(source.path, {source, pull: undefined, pulls: 0, lastError: null})
  }

  /** Forgets the guest and closes its pull on Calls (MediaMTX's WebRTC connection then ends). */
  async unregister(path: string): Promise<void> {
    const entry = this.#entries.get(path)
    this.#entries.delete(path)
    if (entry?.pull) await this.#closePull(entry.pull)
  }

  /** What MediaMTX has pulled for a path: the current pull and how many POSTs it took. */
  stats(path: string): {pull: WhepPull | null; pulls: number; lastError: string | null} {
    const entry = this.#entries.get(path)
    return {pull: entry?.pull ?? null, pulls: entry?.pulls ?? 0, lastError: entry?.lastError ?? null}
  }

  async #closePull(pull: WhepPull): Promise<void> {
    if (pull.mids.length === 0) return
    await this.#options.calls.closeTracks(pull.callsSessionId, {mids: pull.mids, force: true}).catch(() => {
      // The session may have expired already (that may be why MediaMTX pulls again): nothing left to free.
    })
  }

  #authorize(req: IncomingMessage, url: URL, entry: Entry | undefined): Entry {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim()
    const given = url.searchParams.get('token') ?? bearer
    // Unknown path and wrong token look alike, so the façade does not tell which guests exist.
    if (!entry || given === undefined || !sameToken(given, entry.source.token)) {
      throw new FacadeError(entry && given === undefined ? 401 : 404, 'no such WHEP source')
    }
    return entry
  }

  async #readBody(req: IncomingMessage): Promise<string> {
    try {
      return await readBody(req, this.#options.maxSdpBytes ?? 64 * 1024)
    } catch (error) {
      throw error instanceof BodyTooLargeError ? new FacadeError(413, 'offer too large') : error
    }
  }

  async #post(req: IncomingMessage, res: ServerResponse, entry: Entry): Promise<void> {
    if (mediaType(req) !== 'application/sdp') throw new FacadeError(415, 'expected application/sdp')
    const offer = await this.#readBody(req)
    if (!offer.startsWith('v=0')) throw new FacadeError(400, 'the body is not an SDP offer')
    const {calls, log} = this.#options
    const {source} = entry
    entry.pulls += 1
    let callsSessionId = ''
    try {
      callsSessionId = (await calls.newSession({correlationId: `r58-whep:${source.path}`})).sessionId
      const pulled = await calls.pullTracks(callsSessionId, {
        offer: {type: 'offer', sdp: offer},
        waitForPublisherMs: this.#options.waitForPublisherMs ?? 5000,
        tracks: source.calls.tracks.map((t) => ({
          sessionId: source.calls.sessionId,
          trackName: t.trackName,
          ...(t.kind && {kind: t.kind}),
        })),
      })
      const previous = entry.pull
      const pull: WhepPull = {
        id: randomUUID(),
        callsSessionId,
        mids: pulled.tracks.map((t) => t.mid ?? '').filter(Boolean),
        created: new Date().toISOString(),
        ufrag: iceUfrag(offer),
      }
      entry.pull = pull
      entry.lastError = null
      if (previous) void this.#closePull(previous)
      const sdp = pulled.answer?.sdp ?? ''
      log({
        level: 'info',
        event: 'relay.whep.pull',
        msg: `MediaMTX pulls ${source.path} straight from Calls (${pull.mids.length} track(s))`,
        path: source.path,
        callsSession: callsSessionId,
      })
      res.writeHead(201, {
        'content-type': 'application/sdp',
        'content-length': Buffer.byteLength(sdp),
        etag: `"${pull.id}"`,
        location: `/whep/${source.path.split('/').map(encodeURIComponent).join('/')}/session/${pull.id}`,
      })
      res.end(sdp)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      entry.lastError = message
      log({level: 'warn', event: 'relay.whep.failed', msg: `WHEP pull of ${source.path} failed: ${message}`})
      // The guest's tracks are gone or not (yet) published: MediaMTX retries on its own.
      const gone = isSessionGone(error) || (isCallsError(error) && error.failedTracks.length > 0)
      throw new FacadeError(gone ? 404 : 502, gone ? "the guest's tracks are not on Calls" : 'Calls refused the pull')
    }
  }

  /** The façade's request handler: answers every request, never throws. */
  handler(): (req: IncomingMessage, res: ServerResponse) => void {
    const route = async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://whep')
      const method = req.method ?? 'GET'
      let pathname: string
      try {
        pathname = decodeURIComponent(url.pathname)
      } catch {
        throw new FacadeError(400, 'malformed percent-encoding')
      }
      const session = /^\/whep\/(.+)\/session\/([0-9a-f-]{36})$/.exec(pathname)
      if (session) {
        const entry = this.#authorize(req, url, this.#entries.get(session[1] ?? ''))
        const pull = entry.pull
        if (!pull || pull.id !== session[2]) throw new FacadeError(404, 'no such WHEP session')
        if (method === 'PATCH') {
          const fragment = await this.#readBody(req)
          const ufrag = iceUfrag(fragment)
          if (ufrag !== null && pull.ufrag !== null && ufrag !== pull.ufrag) {
            throw new FacadeError(422, 'ICE restart is not possible with Calls; POST a new offer instead')
          }
          res.writeHead(204).end()
          return
        }
        if (method === 'DELETE') {
          entry.pull = undefined
          await this.#closePull(pull)
          res.writeHead(200, {'content-type': 'text/plain'}).end('OK')
          return
        }
        throw new FacadeError(405, 'method not allowed')
      }
      const post = /^\/whep\/(.+)$/.exec(pathname)
      if (post && method === 'POST') {
        await this.#post(req, res, this.#authorize(req, url, this.#entries.get(post[1] ?? '')))
        return
      }
      throw new FacadeError(404, 'not found')
    }
    return (req, res) => {
      route(req, res).catch((error: unknown) => {
        const status = error instanceof FacadeError ? error.status : 500
        if (res.headersSent) {
          res.end()
          return
        }
        replyJson(res, status, {error: error instanceof FacadeError ? error.message : 'internal error'})
      })
    }
  }

  /** Closes every pull (relay shutdown). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((path) => this.unregister(path)))
  }
}
