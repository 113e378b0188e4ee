/** A relay front with an engine that has no sessions, for commands that only read a relay's status. */
import type {RelayEngine} from '../../src/relay/engine.js'
import {createIngressHandler} from '../../src/relay/ingress.js'
import {RateLimiter} from '../../src/relay/rate-limit.js'
import {emptyTokenTable} from '../../src/relay/tokens.js'
import {type LoopbackServer, startHttpServer} from './http-server.js'

const idleEngine: RelayEngine = {
  open: async () => {
    throw new Error('idle relay')
  },
  pull: async () => {
    throw new Error('idle relay')
  },
  close: async () => false,
  has: () => false,
  list: () => [],
  iceServers: async () => [],
  shutdown: async () => {},
}

export function startIdleRelay(): Promise<LoopbackServer> {
  return startHttpServer(
    createIngressHandler({
      engine: idleEngine,
      tokens: emptyTokenTable(),
      allowOrigins: ['*'],
      maxSessions: 1,
      rateLimiter: new RateLimiter({ratePerSecond: 1000, burst: 1000}),
      log: () => {},
    }),
  )
}
