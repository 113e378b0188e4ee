/**
 * Ctrl-C on `r58 probe turn`: the command stops, frees what it holds, exits 130, and its report keeps what had
 * finished (a refused TCP URL stays a failure) while what was cut short is "cancelled" (skip), not a failure.
 */
import {spawn} from 'node:child_process'
import {createSocket} from 'node:dgram'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {isolatedConfigHome, ROOT} from '../support/cli.js'
import {closedPort} from '../support/http-server.js'

it('probe turn: Ctrl-C exits 130 and keeps what finished', async () => {
  // A TURN "server" that never answers: the UDP probe waits on it until interrupted.
  const silent = createSocket('udp4')
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
  const firstPacket = new Promise<void>((resolve) => silent.once('message', () => resolve()))
  const refused = await closedPort()
  const udpUrl = `turn:127.0.0.1:${silent.address().port}?transport=udp`
  const tcpUrl = `turn:127.0.0.1:${refused}?transport=tcp`
  const argv = [udpUrl, tcpUrl, '--turn-username', 'u', '--timeout', '30', '--json']
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/dev.js'), 'probe', 'turn', ...argv], {
    cwd: ROOT,
    env: {...process.env, XDG_CONFIG_HOME: isolatedConfigHome(), R58_TURN_CREDENTIAL: 'p', CI: 'true'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  try {
    await firstPacket
    child.kill('SIGINT')
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).toBe(130)
    const envelope = JSON.parse(stdout) as {
      exitCode: number
      result: {checks: {id: string; status: string; evidence: string}[]}
    }
    expect(envelope.exitCode).toBe(130)
    const byUrl = (url: string) =>
      envelope.result.checks.find(
        (c) => c.id.startsWith('turn.allocate.') && c.evidence !== undefined && JSON.stringify(c).includes(url),
      )
    expect(byUrl(tcpUrl)).toMatchObject({status: 'fail'})
    expect(byUrl(udpUrl)).toMatchObject({status: 'skip', evidence: expect.stringMatching(/^cancelled/)})
  } finally {
    child.kill('SIGKILL')
    silent.close()
  }
}, 60_000)
