/** The coturn lab itself: starts on free ports, answers STUN on every listener, and stops for good. */
import {connect} from 'node:net'
import {describe, expect, it} from 'vitest'
import {findTurnserver, startCoturn} from '../../../../src/sim/lab/coturn.js'
import {requireTurnserver} from '../../../support/coturn.js'

describe('coturn lab', () => {
  it('finds turnserver', () => {
    requireTurnserver()
    expect(findTurnserver()).toMatch(/turnserver$/)
  })

  it('starts with UDP, TCP and TLS listeners and long-term credentials; stop() ends the process', async () => {
    requireTurnserver()
    const lab = await startCoturn()
    try {
      expect(lab.turnUrls.udp).toMatch(/^turn:127\.0\.0\.1:\d+\?transport=udp$/)
      expect(lab.turnUrls.tls).toBe(`turns:127.0.0.1:${lab.ports.tls}?transport=tcp`)
      expect(lab).toMatchObject({username: 'r58', realm: 'r58.lab', credential: expect.any(String)})
      await new Promise<void>((resolve, reject) => {
        const socket = connect(lab.ports.tls, '127.0.0.1', () => {
          socket.destroy()
          resolve()
        })
        socket.once('error', reject)
      })
    } finally {
      await lab.stop()
    }
    expect(() => process.kill(lab.pid, 0)).toThrow()
  })

  it('two labs at once get different ports', async () => {
    requireTurnserver()
    const [a, b] = await Promise.all([startCoturn(), startCoturn()])
    try {
      expect(a.ports.listening).not.toBe(b.ports.listening)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('fails with the install command when turnserver is missing', async () => {
    expect(findTurnserver('/nonexistent')).toBeUndefined()
    await expect(startCoturn({searchPath: '/nonexistent'})).rejects.toMatchObject({
      code: 'E_CONFIG',
      hint: expect.stringContaining('apt-get install coturn'),
    })
  })

  it('reports a turnserver that exits at once', async () => {
    await expect(startCoturn({binary: '/bin/false', startTimeoutMs: 3000})).rejects.toThrow(
      /coturn did not start: exit 1/,
    )
  })
})
