/**
 * The lab's network on its own: what it builds is reachable only as the topology says (the router forwards
 * only the ports it was told to), and destroy() leaves nothing behind, processes included, even when a test
 * fails half-way. No services: plain sockets from `node -e` inside the namespaces.
 */
import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {spawnInNamespace} from '../../src/sim/lab/netns/process.js'
import {createNatLabNetwork, LAB_ADDRESSES} from '../../src/sim/lab/netns/topology.js'
import {requireLab} from './support/lab-suite.js'

const namespaces = () => execFileSync('ip', ['netns', 'list'], {encoding: 'utf8'})

/** A TCP listener that prints `listening` and answers every connection with the peer's address. */
const SERVER = `require('net').createServer((s) => s.end(s.remoteAddress.replace('::ffff:', '') + '\\n')).listen(+process.argv[1], () => console.log('listening'))`
/** Connects, prints what the server said or the error code, exits. */
const CLIENT = `const s = require('net').connect(+process.argv[2], process.argv[1]); s.setTimeout(3000, () => { console.log('timeout'); process.exit() }); s.on('data', (d) => { console.log('reply ' + d.toString().trim()); process.exit() }); s.on('error', (e) => { console.log(e.code); process.exit() })`

async function connect(ns: string, host: string, port: number): Promise<string> {
  const client = spawnInNamespace(ns, 'client', [process.execPath, '-e', CLIENT, host, String(port)])
  await client.exited
  return client.lines.join(' ')
}

describe('NAT lab network', () => {
  it('forwards only the given TCP port to the box, hides the box LAN, and destroy() removes everything', async () => {
    requireLab()
    const net = createNatLabNetwork({forwardTcp: [8889]})
    let destroyed = false
    try {
      const servers = [8889, 8890].map((port) => {
        const server = spawnInNamespace(net.names.box, `server ${port}`, [process.execPath, '-e', SERVER, String(port)])
        return server.waitForLine((l) => l === 'listening', 10_000, 'listening').then(() => server)
      })
      const [forwarded, closed] = await Promise.all(servers)
      // The guest reaches the forwarded port through the box's public address, from its own NAT's address.
      expect(await connect(net.names.guest, LAB_ADDRESSES.boxPublic, 8889)).toBe(`reply ${LAB_ADDRESSES.guestPublic}`)
      expect(await connect(net.names.guest, LAB_ADDRESSES.boxPublic, 8890)).toBe('ECONNREFUSED')
      expect(await connect(net.names.guest, LAB_ADDRESSES.box, 8889)).toMatch(/ENETUNREACH|EHOSTUNREACH|timeout/)
      net.destroy()
      destroyed = true
      // Killing the namespaces' processes ends the servers; no namespace of this lab is left.
      await Promise.all([forwarded?.exited, closed?.exited])
      for (const name of Object.values(net.names)) expect(namespaces()).not.toContain(name)
    } finally {
      if (!destroyed) net.destroy()
    }
  })
})
