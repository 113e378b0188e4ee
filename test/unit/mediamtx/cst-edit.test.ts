/** The CST-level editor on small files: exact output, local style kept, nothing else touched. */
import {describe, expect, it} from 'vitest'
import {applyChanges} from '../../../src/mediamtx/apply-changes.js'
import {parseConfigDoc} from '../../../src/mediamtx/config-doc.js'
import {planConfigure, type ResolvedVersion, versionFromFlag} from '../../../src/mediamtx/configure.js'
import {applyTextEdits} from '../../../src/mediamtx/cst-edit.js'
import type {Operation} from '../../../src/mediamtx/operations.js'
import {detectStyle, formatScalar, isPlainSafe} from '../../../src/mediamtx/yaml-style.js'

const v120 = versionFromFlag('v1.20.1')
const edit = (text: string, operations: Operation[], version = v120) =>
  planConfigure(text, 'm.yml', {operations, version}).after

const host = (h: string): Operation => ({op: 'add-host', host: h})
const turn = (url: string, clientOnly?: boolean): Operation => ({
  op: 'ice-server',
  server: {url, username: 'u', password: 'p', ...(clientOnly !== undefined && {clientOnly})},
})

describe('edits in the local style', () => {
  it.each([
    {
      name: 'flow list: append, keeping padding and quoting of the others',
      text: "webrtcAdditionalHosts: [ '10.0.0.1', b.example ] # mine\n",
      ops: [host('100.64.0.5')],
      want: "webrtcAdditionalHosts: [ '10.0.0.1', b.example, 100.64.0.5 ] # mine\n",
    },
    {
      name: 'block list at column 0: new item in sibling style',
      text: 'webrtcAdditionalHosts:\n- 10.0.0.1\n# trailing comment\nwebrtc: yes\n',
      ops: [host('100.64.0.5')],
      want: 'webrtcAdditionalHosts:\n- 10.0.0.1\n- 100.64.0.5\n# trailing comment\nwebrtc: yes\n',
    },
    {
      name: 'block list indented by 4',
      text: 'webrtcAdditionalHosts:\n    - 10.0.0.1\nwebrtc: yes\n',
      ops: [host('100.64.0.5')],
      want: 'webrtcAdditionalHosts:\n    - 10.0.0.1\n    - 100.64.0.5\nwebrtc: yes\n',
    },
    {
      name: 'yes/no file: new booleans say yes',
      text: 'webrtc: yes\nwebrtcICEServers2:\n  - url: stun:s.example:3478\n    username: ""\n    password: ""\n',
      ops: [{op: 'client-only'}],
      want: 'webrtc: yes\nwebrtcICEServers2:\n  - url: stun:s.example:3478\n    username: ""\n    password: ""\n    clientOnly: yes\n',
    },
    {
      name: 'true/false file: new booleans say true',
      text: 'webrtc: true\nwebrtcICEServers2: []\n',
      ops: [turn('turn:t.example:3478', true)],
      want: "webrtc: true\nwebrtcICEServers2:\n  - url: turn:t.example:3478\n    username: 'u'\n    password: 'p'\n    clientOnly: true\n",
    },
    {
      name: 'empty value followed by a comment: the value goes after the colon',
      text: 'webrtcICEUDPMuxAddress: # where\n# next\nwebrtc: yes\n',
      ops: [{op: 'udp-address', address: ':8189'}],
      version: versionFromFlag('v1.2.0'),
      want: 'webrtcICEUDPMuxAddress: :8189 # where\n# next\nwebrtc: yes\n',
    },
    {
      name: 'a quoted value keeps its quote character',
      text: "webrtcLocalTCPAddress: '0.0.0.0:9000'\n",
      ops: [{op: 'tcp-address', address: ':8189'}],
      want: "webrtcLocalTCPAddress: ':8189'\n",
    },
    {
      name: 'an empty quoted value becomes plain, like its neighbours',
      text: 'webrtcLocalUDPAddress: :8189\nwebrtcLocalTCPAddress: ""\n',
      ops: [{op: 'tcp-address', address: ':8189'}],
      want: 'webrtcLocalUDPAddress: :8189\nwebrtcLocalTCPAddress: :8189\n',
    },
    {
      name: 'a missing key goes after its predecessor in MediaMTX order',
      text: 'webrtc: yes\nwebrtcIPsFromInterfaces: yes\n# ICE servers\nwebrtcICEServers2: []\n',
      ops: [host('100.64.0.5')],
      want: 'webrtc: yes\nwebrtcIPsFromInterfaces: yes\nwebrtcAdditionalHosts: [100.64.0.5]\n# ICE servers\nwebrtcICEServers2: []\n',
    },
    {
      name: 'a missing key with no predecessor goes above its successor and its comments',
      text: 'logLevel: info\n\n# ICE servers\nwebrtcICEServers2: []\n',
      ops: [{op: 'tcp-address', address: ':8189'}],
      want: 'logLevel: info\n\nwebrtcLocalTCPAddress: :8189\n# ICE servers\nwebrtcICEServers2: []\n',
    },
    {
      name: 'a file without a final newline',
      text: 'webrtc: yes\npaths:\n  all_others:',
      ops: [{op: 'add-path', name: 'cam'}],
      want: 'webrtc: yes\npaths:\n  all_others:\n  cam:\n    source: publisher\n',
    },
    {
      name: 'CRLF line ends stay CRLF',
      text: 'webrtc: yes\r\nwebrtcICEServers2:\r\n  - url: stun:s.example:3478\r\nwebrtcTrackGatherTimeout: 2s\r\n',
      ops: [turn('turn:t.example:3478')],
      want: "webrtc: yes\r\nwebrtcICEServers2:\r\n  - url: stun:s.example:3478\r\n  - url: turn:t.example:3478\r\n    username: 'u'\r\n    password: 'p'\r\nwebrtcTrackGatherTimeout: 2s\r\n",
    },
    {
      name: 'updating credentials of an existing TURN entry edits only its values',
      text: 'webrtcICEServers2:\n  - url: turn:t.example:3478 # relay\n    username: "old"\n    password: "old" # rotated daily\n',
      ops: [turn('turn:t.example:3478')],
      want: 'webrtcICEServers2:\n  - url: turn:t.example:3478 # relay\n    username: "u"\n    password: "p" # rotated daily\n',
    },
    {
      name: 'removing the last server gives back [] and keeps the comments under the key',
      text: 'webrtcICEServers2:\n  # examples\n  - url: stun:s.example:3478\n    username: ""\n    password: ""\n# next\nwebrtcTrackGatherTimeout: 2s\n',
      ops: [{op: 'remove-ice-server', url: 'stun:s.example:3478'}],
      want: 'webrtcICEServers2: []\n  # examples\n# next\nwebrtcTrackGatherTimeout: 2s\n',
    },
    {
      name: 'removing one host from a flow list',
      text: 'webrtcAdditionalHosts: [a.example, "b.example", c.example]\nwebrtcICEServers2:\n  - url: stun:s.example:3478\n',
      ops: [{op: 'remove-ice-server', url: 'stun:s.example:3478'}],
      want: 'webrtcAdditionalHosts: [a.example, "b.example", c.example]\nwebrtcICEServers2: []\n',
    },
    {
      name: 'plain scalars that YAML 1.1 would misread get quoted',
      text: 'webrtcAdditionalHosts: []\n',
      ops: [host('on.example'), host('yes')],
      want: "webrtcAdditionalHosts: [on.example, 'yes']\n",
    },
  ] as {name: string; text: string; ops: Operation[]; want: string; version?: ResolvedVersion}[])(
    '$name',
    ({text, ops, want, version}) => {
      expect(edit(text, ops, version)).toBe(want)
    },
  )
})

describe('refusals', () => {
  it.each([
    {name: 'an alias', text: 'base: &h [a]\nwebrtcAdditionalHosts: *h\n', error: /alias/},
    {name: 'a tag', text: 'webrtcAdditionalHosts: !!seq []\n', error: /anchor or tag/},
    {name: 'a flow-style top level', text: '{webrtc: yes}\n', error: /not a block mapping/},
    {
      name: 'a multi-line flow list with comments, when removing',
      text: 'webrtcICEServers: [\n  stun:a:1, # x\n  stun:b:2]\n',
      error: /spans lines or has comments/,
    },
  ])('$name', ({text, error}) => {
    const ops: Operation[] = text.includes('webrtcICEServers:')
      ? [{op: 'remove-ice-server', url: 'stun:a:1'}]
      : [host('100.64.0.5')]
    const version = text.includes('webrtcICEServers:') ? versionFromFlag('v0.23.0') : v120
    expect(() => edit(text, ops, version)).toThrow(
      expect.objectContaining({code: 'E_MEDIAMTX_CONFIG', text: expect.stringMatching(error)}),
    )
  })
})

describe('style detection and scalars', () => {
  it('reads the boolean spelling, the quote and the list indentation of a file', () => {
    const doc = parseConfigDoc("a: yes\nb: no\nc: true\nd: ''\nl:\n- x\n", 'm.yml')
    expect(detectStyle(doc)).toMatchObject({bool: 'yes-no', quote: "'", seqIndent: 0})
  })

  it.each([
    [':8189', true],
    ['100.64.0.5', true],
    ['turn:t.example:3478?transport=udp', true],
    ['yes', false],
    ['on', false],
    ['1:20', false],
    ['0x1F', false],
    ['null', false],
    ['~', false],
    ['a: b', false],
    ['a #b', false],
    ['', false],
    ['-x', false],
  ])('%j plain-safe: %s', (text, safe) => expect(isPlainSafe(text)).toBe(safe))

  it('formats booleans, numbers and quoted strings', () => {
    const style = detectStyle(parseConfigDoc('a: yes\n', 'm.yml'))
    expect(formatScalar(true, style)).toBe('yes')
    expect(formatScalar(false, {...style, bool: 'true-false'})).toBe('false')
    expect(formatScalar(8189, style)).toBe('8189')
    expect(formatScalar("it's", style, {quote: "'"})).toBe("'it''s'")
    expect(formatScalar('a"b', style, {quote: '"'})).toBe('"a\\"b"')
  })

  it('applies splices in order and refuses overlaps', () => {
    expect(
      applyTextEdits('abcdef', [
        {start: 4, end: 5, text: 'E'},
        {start: 1, end: 1, text: '+'},
        {start: 1, end: 1, text: '!'},
      ]),
    ).toBe('a+!bcdEf')
    expect(() =>
      applyTextEdits('abc', [
        {start: 0, end: 2, text: ''},
        {start: 1, end: 3, text: ''},
      ]),
    ).toThrow(/overlapping/)
  })

  it('writes a change to an unknown shape of value as a whole new value', () => {
    const doc = parseConfigDoc('webrtcAdditionalHosts: {a: 1}\n', 'm.yml')
    const out = applyChanges(
      doc,
      [{key: 'webrtcAdditionalHosts', before: {a: 1}, after: ['x.example']}],
      detectStyle(doc),
    )
    expect(out).toBe('webrtcAdditionalHosts: [x.example]\n')
  })
})
