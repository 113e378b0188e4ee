/** Pure parts of whep mode: choosing the mode, the source URL MediaMTX gets, and what counts as a WHEP source. */
import {describe, expect, it} from 'vitest'
import type {WhepCapability} from '../../../src/relay/mediamtx-paths.js'
import {chooseRelayMode, type RequestedRelayMode} from '../../../src/relay/mode.js'
import {whepSourceUrl} from '../../../src/relay/whep-engine.js'
import {whepHttpUrl} from '../../../src/sim/mediamtx/whep-source.js'

const can: WhepCapability = {whep: true, version: 'v1.20.1', bearerToken: true, reason: 'MediaMTX v1.20.1 can'}
const cannot: WhepCapability = {whep: false, version: null, bearerToken: false, reason: 'no v3 API'}

describe('chooseRelayMode', () => {
  it.each<{
    requested: RequestedRelayMode
    mediamtx: boolean
    probe: WhepCapability | undefined
    mode: string
    reason: RegExp
  }>([
    {requested: 'auto', mediamtx: true, probe: can, mode: 'whep', reason: /can/},
    {
      requested: 'auto',
      mediamtx: true,
      probe: cannot,
      mode: 'forward',
      reason: /no v3 API: falling back to forward mode/,
    },
    {requested: 'auto', mediamtx: false, probe: can, mode: 'forward', reason: /WHIP URL template/},
    {requested: 'auto', mediamtx: true, probe: undefined, mode: 'forward', reason: /no MediaMTX control API/},
    {requested: 'whep', mediamtx: false, probe: can, mode: 'whep', reason: /can/},
    {requested: 'whep', mediamtx: true, probe: cannot, mode: 'forward', reason: /falling back/},
    {requested: 'forward', mediamtx: true, probe: can, mode: 'forward', reason: /--mode forward/},
  ])(
    '$requested, MediaMTX target $mediamtx, API $probe.reason → $mode',
    async ({requested, mediamtx, probe, mode, reason}) => {
      let asked = 0
      const decision = await chooseRelayMode({
        requested,
        targetIsMediamtx: mediamtx,
        probe: probe
          ? async () => {
              asked += 1
              return probe
            }
          : undefined,
      })
      expect(decision.mode).toBe(mode)
      expect(decision.reason).toMatch(reason)
      // Forward on request never asks MediaMTX.
      if (requested === 'forward') expect(asked).toBe(0)
    },
  )
})

describe('whep source URLs', () => {
  it.each([
    ['http://127.0.0.1:8891', 'guest', 't0', 'whep://127.0.0.1:8891/whep/guest?token=t0'],
    ['https://relay.lan:443/', 'a/b c', 't1', 'wheps://relay.lan:443/whep/a/b%20c?token=t1'],
  ])('%s + %s → %s', (base, path, token, url) => {
    expect(whepSourceUrl(base, path, token)).toBe(url)
    expect(whepHttpUrl(url)).toBe(url.replace(/^whep/, 'http'))
  })

  it.each(['publisher', 'rtsp://cam/1', 'http://x/whep', ''])('%j is not a WHEP source', (source) => {
    expect(whepHttpUrl(source)).toBeUndefined()
  })
})
