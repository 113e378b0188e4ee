/**
 * probe turn --cloudflare-turn: credentials minted by the local stand-in for Cloudflare's TURN API
 * (documented request/response shapes), valid on a coturn in REST-secret mode.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {probeTurn} from '../../../src/turn/turn-probe.js'
import {useCoturn} from '../../support/coturn.js'
import {startTurnApiFor, type TurnApiStandin} from '../../support/turn-api.js'

const SECRET = 'rest-shared-secret-for-tests'
const coturn = useCoturn({auth: {secret: SECRET}})
let api: TurnApiStandin
beforeAll(async () => {
  api = await startTurnApiFor(
    {'key-1': 'good-token'},
    {secret: SECRET, turnUrls: Object.values(coturn.lab.turnUrls), stunUrls: [coturn.lab.stunUrl]},
  )
})
afterAll(() => api.close())

const cloudflare = (token = 'good-token') => ({keyId: 'key-1', token, apiBase: api.apiBase})

describe('probeTurn with Cloudflare TURN credentials', () => {
  it('mints credentials, then probes every TURN URL the API hands out', async () => {
    const report = await probeTurn({cloudflare: cloudflare(), tls: {ca: coturn.lab.certificate.cert}})
    expect(report.source).toBe('cloudflare')
    expect(report.username).toMatch(/^\d+:r58emu\d+$/)
    expect(report.checks[0]).toMatchObject({id: 'turn.credentials.cloudflare', status: 'pass'})
    expect(report.results.map((r) => [r.transport, r.outcome])).toEqual([
      ['udp', 'ok'],
      ['tcp', 'ok'],
      ['tls', 'ok'],
    ])
    expect(report.exitCode).toBe(0)
    expect(JSON.stringify(report)).not.toMatch(/"credential"/) // the minted secret stays inside
  })

  it('probes only the URLs given, with the minted credential', async () => {
    const report = await probeTurn({urls: [coturn.lab.turnUrls.tcp], cloudflare: cloudflare()})
    expect(report.results.map((r) => r.url)).toEqual([coturn.lab.turnUrls.tcp])
  })

  it('a rejected key token: exit 5 before any TURN packet', async () => {
    const report = await probeTurn({cloudflare: cloudflare('wrong-token')})
    expect(report.results).toEqual([])
    expect(report.checks).toEqual([
      expect.objectContaining({id: 'turn.credentials.cloudflare', status: 'fail', failure: 'auth'}),
    ])
    expect(report.exitCode).toBe(5)
  })
})
