import {createServer as createTlsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {Agent} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {headerValues, httpRequest} from '../../../src/net/http.js'
import {closedPort, type LoopbackServer, startHttpServer} from '../../support/http-server.js'
import {makeSelfSignedCertificate} from '../../support/tls.js'

describe('httpRequest against real loopback servers', () => {
  let server: LoopbackServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('returns status, repeated headers and body', async () => {
    server = await startHttpServer((_req, res) => {
      res.setHeader('link', ['<stun:a:1>; rel="ice-server"', '<turn:b:2>; rel="ice-server"'])
      res.writeHead(201).end('v=0')
    })
    const response = await httpRequest(`${server.url}/x`, {method: 'POST', body: 'offer'})
    expect(response.status).toBe(201)
    expect(response.body).toBe('v=0')
    expect(headerValues(response, 'Link')).toHaveLength(2)
  })

  it('names a refused TCP connection as unreachable (exit 4)', async () => {
    const port = await closedPort()
    await expect(httpRequest(`http://127.0.0.1:${port}/`, {step: 'WHIP POST'})).rejects.toMatchObject({
      code: 'E_UNREACHABLE',
      exitCode: 4,
      text: `WHIP POST: TCP connection to 127.0.0.1:${port} refused`,
    })
  })

  it('names a DNS failure', async () => {
    // The resolver is injected: a real lookup would send a query to this machine's DNS server.
    const dispatcher = new Agent({
      connect: {
        lookup: (host, _options, callback) =>
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {code: 'ENOTFOUND'}), '', 4),
      },
    })
    try {
      await expect(
        httpRequest('http://mediamtx.example.test:9997/', {dispatcher, step: 'API GET'}),
      ).rejects.toMatchObject({
        code: 'E_UNREACHABLE',
        exitCode: 4,
        text: 'API GET: DNS lookup of mediamtx.example.test failed (ENOTFOUND)',
      })
    } finally {
      await dispatcher.close()
    }
  })

  it('gives up at the deadline when the server never answers', async () => {
    server = await startHttpServer(() => {
      /* never respond */
    })
    await expect(httpRequest(server.url, {timeoutMs: 200, step: 'API GET'})).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      text: expect.stringContaining('API GET: no answer from 127.0.0.1'),
    })
  })

  it('cuts off a response larger than the bound', async () => {
    server = await startHttpServer((_req, res) => res.end('x'.repeat(5000)))
    await expect(httpRequest(server.url, {maxBodyBytes: 1000})).rejects.toMatchObject({code: 'E_PROTOCOL'})
  })

  it('follows a 307 with the same method and body, and reports it', async () => {
    server = await startHttpServer(async (req, res) => {
      if (req.url === '/old') {
        res.writeHead(307, {location: '/new'}).end()
        return
      }
      let body = ''
      for await (const chunk of req) body += chunk
      res.end(`${req.method} ${body}`)
    })
    const response = await httpRequest(`${server.url}/old`, {method: 'POST', body: 'sdp', followRedirects: 3})
    expect(response.body).toBe('POST sdp')
    expect(response.redirects).toEqual(['307 /new'])
    expect(response.url).toBe(`${server.url}/new`)
  })

  it('names a TLS handshake failure against an untrusted certificate', async () => {
    const cert = makeSelfSignedCertificate()
    const tls = createTlsServer({key: cert.key, cert: cert.cert}, (_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = tls.address() as AddressInfo
      await expect(httpRequest(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({code: 'E_TLS', exitCode: 4})
    } finally {
      tls.closeAllConnections()
      await new Promise((resolve) => tls.close(resolve))
    }
  })

  it('stops when the caller aborts', async () => {
    server = await startHttpServer(() => {})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    await expect(httpRequest(server.url, {timeoutMs: 5000, signal: controller.signal})).rejects.toMatchObject({
      code: 'E_ABORTED',
    })
  })
})
