/** `--dry-run` for servers: binds a listen address and releases it at once, proving it is usable. */
import {createServer} from 'node:net'
import {R58Error} from '../errors.js'
import {formatHostPort} from '../util/host-port.js'

/** Resolves with the address actually bound (port 0 becomes the port the OS picked). */
export async function checkListen(host: string, port: number, field = '--listen'): Promise<string> {
  const server = createServer()
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new R58Error(
          'E_CONFIG',
          `${field} ${formatHostPort({host, port})}: cannot listen (${error.code ?? error.message})`,
          {
            field,
            hint:
              error.code === 'EADDRINUSE' ? `Another process uses that port: pick another with ${field}.` : undefined,
          },
        ),
      ),
    )
    server.listen(port, host, () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return formatHostPort({host, port: bound})
}
