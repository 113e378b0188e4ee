import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readMediamtxConfig} from '../../../src/mediamtx/config-read.js'
import {compareVersions, parseVersion} from '../../../src/mediamtx/version.js'

const dir = join(import.meta.dirname, '../../fixtures/mediamtx')
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yml'))
const version = (file: string) => parseVersion(file.replace(/\.yml$/, '')) ?? [0, 0, 0]
const atLeast = (file: string, v: string) => compareVersions(version(file), parseVersion(v) ?? [0, 0, 0]) >= 0

describe('readMediamtxConfig on every default config from v0.21.0 to v1.20.1', () => {
  it('has the 27 fixtures', () => expect(fixtures).toHaveLength(27))

  it.each(fixtures)('%s: WebRTC on :8889, booleans read as booleans, defaults as MediaMTX ships them', (file) => {
    const config = readMediamtxConfig(readFileSync(join(dir, file), 'utf8'), file)
    expect(config.webrtc.enabled).toBe(true)
    expect(config.webrtc.address).toBe(':8889')
    expect(config.webrtc.encryption).toBe(false)
    expect(config.api.enabled).toBe(false)
    expect(config.webrtc.additionalHosts).toEqual([])
    expect(config.webrtc.ipsFromInterfaces).toBe(true)
    expect(config.webrtc.localUDPAddress).toBe(atLeast(file, 'v1.3.0') ? ':8189' : '')
    // The default STUN server was removed in v1.3.0.
    expect(config.webrtc.iceServers.map((s) => s.url)).toEqual(
      atLeast(file, 'v1.3.0') ? [] : ['stun:stun.l.google.com:19302'],
    )
    expect(config.paths).toContain(atLeast(file, 'v1.2.0') ? 'all_others' : 'all')
  })

  it.each([
    {
      yaml: 'webrtcDisable: yes\nwebrtcICEHostNAT1To1IPs: [203.0.113.5]\nwebrtcICEUDPMuxAddress: :8189\n',
      want: {enabled: false, additionalHosts: ['203.0.113.5'], hostsReplaceInterfaces: true, localUDPAddress: ':8189'},
    },
    {
      yaml: 'webrtc: no\nwebrtcAdditionalHosts: [100.64.0.7, box.example]\nwebrtcLocalTCPAddress: :8189\n',
      want: {enabled: false, additionalHosts: ['100.64.0.7', 'box.example'], localTCPAddress: ':8189'},
    },
    {
      yaml: 'webrtcICEServers: [turn:u:p:turn.example:3478, stun:s:19302]\n',
      want: {
        iceServers: [
          {url: 'turn:turn.example:3478', username: 'u', password: 'p', clientOnly: false},
          {url: 'stun:s:19302', username: '', password: '', clientOnly: false},
        ],
      },
    },
    {
      yaml: 'webrtcICEServers2:\n- url: turn:t:3478\n  username: u\n  password: p\n  clientOnly: true\nwebrtcTrackGatherTimeout: 3s\n',
      want: {
        iceServers: [{url: 'turn:t:3478', username: 'u', password: 'p', clientOnly: true}],
        trackGatherTimeoutMs: 3000,
      },
    },
  ])('folds deprecated keys and reads $yaml', ({yaml, want}) => {
    expect(readMediamtxConfig(yaml, 'm.yml').webrtc).toMatchObject(want)
  })

  it.each([
    {yaml: '', error: 'empty'},
    {yaml: '- a\n', error: 'mapping'},
    {yaml: 'webrtc: [\n', error: 'm.yml:2:1'},
    {yaml: 'a: 1\na: 2\n', error: 'm.yml:2:1'},
  ])('rejects $yaml with position (exit 6)', ({yaml, error}) => {
    expect(() => readMediamtxConfig(yaml, 'm.yml')).toThrow(
      expect.objectContaining({code: 'E_MEDIAMTX_CONFIG', exitCode: 6, text: expect.stringContaining(error)}),
    )
  })
})
