import type {IncomingMessage, ServerResponse} from 'node:http'
import {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {BodyTooLargeError, mediaType, readBody, refuseDeclaredOversize} from '../../../src/net/http-body.js'
import {closeUnreadUploads, replyJson} from '../../../src/net/http-reply.js'
import {findRoute} from '../../../src/net/http-route.js'

/** A request whose body arrives in these chunks, with these headers. */
function request(chunks: string[], headers: Record<string, string> = {}): IncomingMessage {
  const stream = Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as IncomingMessage
  Object.assign(stream, {headers})
  return stream
}

/** A response that records what was written. */
function response() {
  const written: {status?: number; headers: Record<string, unknown>; body?: string | undefined} = {headers: {}}
  const res = {
    setHeader(name: string, value: unknown) {
      written.headers[name.toLowerCase()] = value
    },
    writeHead(status: number, headers: Record<string, unknown> = {}) {
      written.status = status
      Object.assign(written.headers, headers)
      return res
    },
    end(body?: string) {
      written.body = body
      return res
    },
  }
  return {res: res as unknown as ServerResponse, written}
}

describe('readBody', () => {
  it('joins the chunks of a body within the limit', async () => {
    await expect(readBody(request(['v=0\r\n', 'o=- 1 1 IN IP4 0.0.0.0\r\n']), 64)).resolves.toBe(
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n',
    )
  })

  it.each([
    {what: 'exactly the limit', chunks: ['abcd'], limit: 4, ok: true},
    {what: 'one byte over, chunked', chunks: ['ab', 'cde'], limit: 4, ok: false},
    {what: 'an empty body', chunks: [], limit: 0, ok: true},
  ])('$what', async ({chunks, limit, ok}) => {
    const reading = readBody(request(chunks), limit)
    if (ok) await expect(reading).resolves.toBe(chunks.join(''))
    else await expect(reading).rejects.toBeInstanceOf(BodyTooLargeError)
  })

  it('refuses a declared Content-Length over the limit before reading, unless told not to check it', async () => {
    const declared = {'content-length': '10'}
    await expect(readBody(request(['abc'], declared), 4)).rejects.toThrow('body larger than 4 bytes')
    await expect(readBody(request(['abc'], declared), 4, {checkDeclared: false})).resolves.toBe('abc')
    expect(() => refuseDeclaredOversize(request([], declared), 10)).not.toThrow()
  })

  it.each([
    ['application/SDP; charset=utf-8', 'application/sdp'],
    [undefined, ''],
  ])('media type of %s is %j', (header, expected) => {
    expect(mediaType(request([], header === undefined ? {} : {'content-type': header}))).toBe(expected)
  })
})

describe('replyJson', () => {
  it('writes JSON with its type and byte length, then the given headers', () => {
    const {res, written} = response()
    replyJson(res, 404, {error: 'nö'}, {headers: {allow: 'GET'}, contentType: 'application/json; charset=utf-8'})
    expect(written).toEqual({
      status: 404,
      headers: {'content-type': 'application/json; charset=utf-8', 'content-length': 15, allow: 'GET'},
      body: '{"error":"nö"}',
    })
  })

  it('writes no body for undefined', () => {
    const {res, written} = response()
    replyJson(res, 200, undefined)
    expect(written).toEqual({status: 200, headers: {}, body: undefined})
  })
})

describe('closeUnreadUploads', () => {
  it.each([
    {headers: {'content-length': '5'}, complete: false, close: true},
    {headers: {'transfer-encoding': 'chunked'}, complete: false, close: true},
    {headers: {'content-length': '5'}, complete: true, close: false},
    {headers: {}, complete: false, close: false},
  ])('$headers, body read: $complete → connection close: $close', ({headers, complete, close}) => {
    const {res, written} = response()
    const req = {headers, complete} as unknown as IncomingMessage
    closeUnreadUploads(req, res)
    res.writeHead(413)
    expect(written.headers['connection']).toBe(close ? 'close' : undefined)
  })
})

describe('findRoute', () => {
  const routes = [
    {name: 'session', methods: ['PATCH', 'DELETE'], pattern: /^\/whip\/(.+?)\/session\/([^/]*)$/},
    {name: 'publish', methods: ['OPTIONS', 'POST'], pattern: /^\/whip\/(.+)$/},
  ]

  it.each([
    {method: 'POST', path: '/whip/cam/one', route: 'publish', allowed: true, captures: ['cam/one']},
    {method: 'DELETE', path: '/whip/a/b/session/x', route: 'session', allowed: true, captures: ['a/b', 'x']},
    // The first matching route owns the path: POST to a session URL is not a publish.
    {method: 'POST', path: '/whip/a/session/x', route: 'session', allowed: false, captures: ['a', 'x']},
  ])('$method $path', ({method, path, route, allowed, captures}) => {
    const found = findRoute(routes, method, path)
    expect(found?.route.name).toBe(route)
    expect(found?.allowed).toBe(allowed)
    expect(found?.match.slice(1)).toEqual(captures)
  })

  it('lists the methods of the route for allow, and finds nothing for an unknown path', () => {
    expect(findRoute(routes, 'GET', '/whip/a/session/x')?.allow).toBe('PATCH, DELETE')
    expect(findRoute(routes, 'GET', '/join/a')).toBeUndefined()
  })
})
