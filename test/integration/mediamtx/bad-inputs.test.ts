/**
 * Files MediaMTX would reject, or that are not config files at all: `configure --write` refuses with exit 6,
 * names file:line:col where there is one, and leaves the file byte-identical (no backup, no stray files).
 */
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {configureMediamtx} from '../../../src/mediamtx/configure.js'
import type {Operation} from '../../../src/mediamtx/operations.js'
import {fixture} from '../../support/mediamtx.js'

const V120 = fixture('v1.20.1.yml')
const V16 = fixture('v1.6.0.yml')
const ADD_HOST: Operation[] = [{op: 'add-host', host: '100.64.0.5'}]

interface BadInput {
  name: string
  /** File content (string or bytes); `dir` makes the path a directory, `missing` leaves it absent. */
  content?: string | Buffer
  kind?: 'dir' | 'missing' | 'unreadable'
  version?: string
  operations?: Operation[]
  /** Expected in the message: a position (`:line:col`) or a phrase. */
  message: RegExp
  code?: string
}

const replaceLine = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`fixture lacks ${from}`)
  return text.replace(from, to)
}

const BAD: BadInput[] = [
  {name: 'tab indentation', content: 'webrtc: yes\npaths:\n\tall_others:\n', message: /:3:1: .*[Tt]ab/},
  {
    name: 'duplicate key',
    content: `${V120}webrtcAdditionalHosts: [1.2.3.4]\n`,
    message: /:879:1: webrtcAdditionalHosts: map keys must be unique/,
  },
  {
    name: 'unterminated quote',
    content: "webrtc: yes\nwebrtcAddress: ':8889\nwebrtcEncryption: no\n",
    message: /:\d+:\d+: /,
  },
  {
    name: 'binary file (NUL bytes)',
    content: Buffer.from([0x77, 0x3a, 0x20, 0x00, 0x01, 0x02, 0x0a]),
    message: /:1:4: not a text file/,
  },
  {
    name: 'not UTF-8',
    content: Buffer.concat([Buffer.from('webrtc: yes\nx: '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]),
    message: /:2:4: not a text file/,
  },
  {name: 'empty file', content: '', message: /:1:1: the file is empty/},
  {name: 'comments only', content: '# nothing here\n\n', message: /:1:1: the file is empty/},
  {name: 'a directory', kind: 'dir', message: /is a directory/},
  {name: 'missing file', kind: 'missing', message: /no such file/},
  {name: 'no permission', kind: 'unreadable', content: V120, message: /permission denied/},
  {name: 'top level is a list', content: '- webrtc: yes\n', message: /:1:1: the top level must be a mapping/},
  {name: 'two YAML documents', content: 'webrtc: yes\n---\nwebrtc: no\n', message: /:2:1: more than one YAML document/},
  {
    name: 'a key the version does not know',
    content: replaceLine(fixture('v1.2.0.yml'), 'webrtcICEHostNAT1To1IPs: []', 'webrtcAdditionalHosts: []'),
    version: 'v1.2.0',
    message: /:\d+:1: webrtcAdditionalHosts is unknown to MediaMTX v1\.2\.0; it arrived in v1\.3\.0/,
  },
  {
    name: 'a key removed without a shim',
    content: `${V120.replace('webrtcAdditionalHosts: []\n', 'webrtcAdditionalHosts: []\nwebrtcICEInterfaces: []\n')}`,
    version: 'v1.20.1',
    message: /:\d+:1: webrtcICEInterfaces was removed in v1\.3\.0/,
  },
  {
    name: 'a misspelt key (webrtcICETCPPMuxAddress from the v0.23.8 README)',
    content: `${fixture('v0.23.7.yml')}webrtcICETCPPMuxAddress: :8189\n`,
    message: /:\d+:1: webrtcICETCPPMuxAddress is not a MediaMTX setting/,
  },
  {
    name: 'a TURN URL without port',
    content: replaceLine(
      V120,
      'webrtcICEServers2: []',
      'webrtcICEServers2:\n  - url: turn:turn.example.net\n    username: u\n    password: p',
    ),
    message: /:\d+:10: ICE server "turn:turn\.example\.net" has no port/,
  },
  {
    name: 'an ICE server that is not STUN/TURN',
    content: replaceLine(V120, 'webrtcICEServers2: []', 'webrtcICEServers2:\n  - url: http://turn.example.net:3478'),
    message: /:\d+:10: invalid ICE server "http:\/\/turn\.example\.net:3478"/,
  },
  {
    name: 'clientOnly before v1.7.0',
    content: replaceLine(
      V16,
      'webrtcICEServers2: []',
      'webrtcICEServers2:\n  - url: stun:stun.example.net:3478\n    clientOnly: yes',
    ),
    version: 'v1.6.0',
    message: /:\d+:5: clientOnly is unknown to MediaMTX v1\.6\.0/,
  },
  {
    name: 'no UDP, no TCP, no ICE server',
    content: replaceLine(V120, 'webrtcLocalUDPAddress: :8189', "webrtcLocalUDPAddress: ''"),
    message:
      /:\d+:1: at least one between 'webrtcLocalUDPAddress', 'webrtcLocalTCPAddress' or 'webrtcICEServers2' must be filled/,
  },
  {
    name: 'no interfaces and no additional hosts',
    content: replaceLine(V120, 'webrtcIPsFromInterfaces: true', 'webrtcIPsFromInterfaces: false'),
    operations: [{op: 'tcp-address', address: ':8189'}],
    message: /:\d+:1: at least one between 'webrtcIPsFromInterfaces' or 'webrtcAdditionalHosts' must be filled/,
  },
  {
    name: 'a value of the wrong type',
    content: replaceLine(V120, 'webrtcAdditionalHosts: []', 'webrtcAdditionalHosts: 5'),
    message: /:\d+:24: webrtcAdditionalHosts: expected a list of strings/,
  },
  {
    name: 'a bad listen address',
    content: replaceLine(V120, 'webrtcLocalTCPAddress: ""', 'webrtcLocalTCPAddress: "8189"'),
    message: /:\d+:24: webrtcLocalTCPAddress: expected \[host\]:port/,
  },
  {
    name: 'a value to edit behind an anchor',
    content: replaceLine(V120, 'webrtcAdditionalHosts: []', 'webrtcAdditionalHosts: &hosts []'),
    message: /:\d+:1: webrtcAdditionalHosts has an anchor or tag/,
  },
  {
    name: 'a version without WHIP',
    content: fixture('v0.22.0.yml'),
    message: /has no WebRTC publishing \(WHIP arrived in v0\.23\.0\)/,
  },
]

describe.each(BAD)('bad input: $name', ({content, kind, version, operations, message}) => {
  it('refuses with exit 6, says where, and leaves the file byte-identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r58-bad-'))
    const path = join(dir, 'mediamtx.yml')
    if (kind === 'dir') mkdirSync(path)
    else if (kind !== 'missing') writeFileSync(path, content ?? '')
    if (kind === 'unreadable') chmodSync(path, 0o000)
    const before = kind === undefined ? readFileSync(path) : undefined
    const listing = readdirSync(dir)
    // As root, permissions do not stop reads: inject the error the kernel gives other users.
    const readFile =
      kind === 'unreadable' && process.getuid?.() === 0
        ? () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), {code: 'EACCES'}))
        : undefined
    const error = await configureMediamtx({
      file: path,
      operations: operations ?? ADD_HOST,
      write: true,
      ...(version && {version}),
      ...(readFile && {readFile}),
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error, 'it refuses').toMatchObject({exitCode: 6})
    const text = (error as {text: string}).text
    expect(text).toMatch(message)
    if (kind === undefined || kind === 'unreadable') expect(text.startsWith(path)).toBe(true)
    if (before) expect(readFileSync(path).equals(before)).toBe(true)
    expect(readdirSync(dir)).toEqual(listing)
  })
})

it('has at least 15 bad inputs', () => expect(BAD.length).toBeGreaterThanOrEqual(15))
