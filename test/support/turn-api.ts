/** The TURN credential API emulator on a loopback port, for CLI tests. */
import {createTurnApiEmulator, type TurnApiEmulator} from '../../src/sim/turn-api/turn-api-emulator.js'
import {type LoopbackServer, startHttpServer} from './http-server.js'

export interface TurnApiStandin extends LoopbackServer {
  apiBase: string
  emulator: TurnApiEmulator
}

export async function startTurnApi(keys: Record<string, string>, sharedSecret?: string): Promise<TurnApiStandin> {
  const emulator = createTurnApiEmulator({
    keys: new Map(Object.entries(keys)),
    stunUrls: ['stun:127.0.0.1:3478'],
    turnUrls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
    ...(sharedSecret !== undefined && {sharedSecret}),
  })
  const server = await startHttpServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v1/, '')
    if (!(await emulator.handle(req, res, path))) res.writeHead(404).end()
  })
  return {...server, apiBase: `${server.url}/v1`, emulator}
}

/** The stand-in handing out the given URLs, with credentials valid on a TURN server using `secret` (REST). */
export async function startTurnApiFor(
  keys: Record<string, string>,
  options: {secret: string; turnUrls: readonly string[]; stunUrls: readonly string[]},
): Promise<TurnApiStandin> {
  const emulator = createTurnApiEmulator({
    keys: new Map(Object.entries(keys)),
    stunUrls: options.stunUrls,
    turnUrls: options.turnUrls,
    sharedSecret: options.secret,
  })
  const server = await startHttpServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v1/, '')
    if (!(await emulator.handle(req, res, path))) res.writeHead(404).end()
  })
  return {...server, apiBase: `${server.url}/v1`, emulator}
}
