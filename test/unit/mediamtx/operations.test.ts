/** Version gating of configure operations, version inference, deprecations, validation and small helpers. */
import {describe, expect, it} from 'vitest'
import {parseConfigDoc} from '../../../src/mediamtx/config-doc.js'
import {validateConfig} from '../../../src/mediamtx/config-validate.js'
import {deprecatedKeysIn} from '../../../src/mediamtx/deprecations.js'
import {unifiedDiff} from '../../../src/mediamtx/diff.js'
import {envOverrides} from '../../../src/mediamtx/env-overrides.js'
import {isKeyAccepted, keyRemovedIn} from '../../../src/mediamtx/key-rules.js'
import {type Operation, planOperations} from '../../../src/mediamtx/operations.js'
import {parseVersion, type Version} from '../../../src/mediamtx/version.js'
import {inferVersion} from '../../../src/mediamtx/version-infer.js'

const v = (text: string) => parseVersion(text) as Version
const plan = (yaml: string, ops: Operation[], version: string, extra: {localAddresses?: string[]} = {}) =>
  planOperations(parseConfigDoc(yaml, 'm.yml'), ops, {version: v(version), versionSource: 'flag', ...extra})

describe('operations pick the key the version knows', () => {
  it.each([
    {yaml: 'webrtc: yes\n', version: 'v1.3.0', op: {op: 'add-host', host: '1.2.3.4'}, key: 'webrtcAdditionalHosts'},
    {yaml: 'webrtc: yes\n', version: 'v1.2.1', op: {op: 'add-host', host: '1.2.3.4'}, key: 'webrtcICEHostNAT1To1IPs'},
    {
      yaml: 'webrtcICEHostNAT1To1IPs: []\n',
      version: 'v1.20.1',
      op: {op: 'add-host', host: '1.2.3.4'},
      key: 'webrtcICEHostNAT1To1IPs',
    },
    {
      yaml: 'webrtcICEUDPMuxAddress:\n',
      version: 'v1.20.1',
      op: {op: 'udp-address', address: ':9000'},
      key: 'webrtcLocalUDPAddress',
    },
    {
      yaml: 'webrtcICEUDPMuxAddress: :9000\n',
      version: 'v1.20.1',
      op: {op: 'udp-address', address: ':8189'},
      key: 'webrtcICEUDPMuxAddress',
    },
    {
      yaml: 'webrtc: yes\n',
      version: 'v1.0.0',
      op: {op: 'tcp-address', address: ':8189'},
      key: 'webrtcICETCPMuxAddress',
    },
    {
      yaml: 'webrtc: yes\n',
      version: 'v0.23.7',
      op: {op: 'ice-server', server: {url: 'turn:t:3478', username: 'u', password: 'p'}},
      key: 'webrtcICEServers2',
    },
    {
      yaml: 'webrtcICEServers: []\n',
      version: 'v0.23.0',
      op: {op: 'ice-server', server: {url: 'turn:t:3478', username: 'u', password: 'p'}},
      key: 'webrtcICEServers',
    },
  ] as {yaml: string; version: string; op: Operation; key: string}[])(
    '$version $op.op on $yaml→ $key',
    ({yaml, version, op, key}) => {
      const result = plan(yaml, [op], version)
      expect(result.changes.map((c) => c.key)).toEqual([key])
    },
  )

  it('writes legacy ICE servers as type:user:pass:host:port, and refuses what that cannot hold', () => {
    const result = plan(
      'webrtcICEServers: [stun:s:19302]\n',
      [{op: 'ice-server', server: {url: 'turn:t:3478?transport=tcp', username: 'u', password: 'p'}}],
      'v0.23.0',
    )
    expect(result.changes[0]?.after).toEqual(['stun:s:19302', 'turn:u:p:t:3478?transport=tcp'])
    expect(() =>
      plan(
        'webrtc: yes\n',
        [{op: 'ice-server', server: {url: 'turn:t:3478', username: 'a:b', password: 'p'}}],
        'v0.23.0',
      ),
    ).toThrow(/colon/)
  })

  it('keeps the default STUN server of v0.23.7–v1.2.x when the file has no webrtcICEServers2', () => {
    const result = plan(
      'webrtc: yes\n',
      [{op: 'ice-server', server: {url: 'turn:t:3478', username: 'u', password: 'p'}}],
      'v1.2.0',
    )
    expect(((result.changes[0]?.after ?? []) as {url: string}[]).map((s) => s.url)).toEqual([
      'stun:stun.l.google.com:19302',
      'turn:t:3478',
    ])
  })

  it('skips a host the interfaces already advertise before v1.9.2 (listing it twice broke connections)', () => {
    const result = plan('webrtcAdditionalHosts: []\n', [{op: 'add-host', host: '100.64.0.5'}], 'v1.9.0', {
      localAddresses: ['100.64.0.5'],
    })
    expect(result.changes).toEqual([])
    expect(result.outcomes[0]).toMatchObject({result: 'skipped', note: expect.stringContaining('v1.9.2')})
    expect(
      plan('webrtcAdditionalHosts: []\n', [{op: 'add-host', host: '100.64.0.5'}], 'v1.9.2', {
        localAddresses: ['100.64.0.5'],
      }).changes,
    ).toHaveLength(1)
  })

  it('notes what old keys mean', () => {
    expect(plan('webrtc: yes\n', [{op: 'add-host', host: 'box.example'}], 'v1.13.0').notes.join()).toMatch(
      /Firefox and Safari/,
    )
    expect(plan('webrtc: yes\n', [{op: 'add-host', host: '1.2.3.4'}], 'v1.2.0').notes.join()).toMatch(
      /replaces the interface addresses/,
    )
    expect(plan('webrtc: yes\n', [{op: 'tcp-address', address: ':8189'}], 'v1.2.0').notes.join()).toMatch(/TCP only/)
  })

  it.each([
    [{op: 'add-host', host: '192.168.x.x'}, /placeholder/],
    [{op: 'add-host', host: 'bad host'}, /neither an IP address nor a host name/],
    [{op: 'tcp-address', address: '8189'}, /expected \[host\]:port/],
    [{op: 'add-path', name: '/cam'}, /not a valid MediaMTX path name/],
    [{op: 'add-path', name: 'a/../b'}, /not a valid MediaMTX path name/],
    [{op: 'ice-server', server: {url: 'turn:t', username: 'u', password: 'p'}}, /has no port/],
  ] as [Operation, RegExp][])('rejects %j as a usage error (exit 2)', (op, message) => {
    expect(() => plan('webrtc: yes\n', [op], 'v1.20.1')).toThrow(
      expect.objectContaining({exitCode: 2, text: expect.stringMatching(message)}),
    )
  })

  it('refuses versions without WHIP, and options the version lacks, as exit 6', () => {
    expect(() => plan('webrtc: yes\n', [{op: 'add-host', host: '1.2.3.4'}], 'v0.22.2')).toThrow(
      expect.objectContaining({exitCode: 6}),
    )
    expect(() => plan('webrtc: yes\n', [{op: 'client-only'}], 'v1.6.0')).toThrow(/v1\.7\.0/)
  })

  it('migrates only where the version has the replacement, and lets the old value win like the shim', () => {
    const yaml = 'webrtcICEHostNAT1To1IPs: [1.1.1.1]\nwebrtcAdditionalHosts: [2.2.2.2]\nwebrtcAllowOrigin: "*"\n'
    const old = plan(yaml, [{op: 'migrate-deprecated'}], 'v1.2.0')
    expect(old.changes).toEqual([])
    expect(old.outcomes.map((o) => o.result)).toEqual(['skipped', 'skipped'])
    const now = plan(yaml, [{op: 'migrate-deprecated'}], 'v1.20.1')
    expect(now.changes).toEqual([
      {key: 'webrtcAdditionalHosts', before: ['2.2.2.2'], after: ['1.1.1.1']},
      {key: 'webrtcICEHostNAT1To1IPs', before: ['1.1.1.1'], after: undefined},
      {key: 'webrtcAllowOrigins', before: undefined, after: ['*'], renamedFrom: 'webrtcAllowOrigin'},
    ])
  })
})

describe('version inference', () => {
  it.each([
    [['webrtc', 'webrtcAdditionalHosts'], {}, 'v1.3.0', 'webrtcAdditionalHosts'],
    [['webrtcICEServers2', 'paths'], {clientOnly: true}, 'v1.7.0', 'clientOnly'],
    [['webrtcICEInterfaces', 'webrtc'], {}, 'v1.2.0', 'webrtcICEInterfaces'],
    [['paths'], {}, 'v0.17.0', 'paths'],
    [['notAKey'], {}, 'v0.21.0', null],
  ])('%j → %s', (keys, nested, version, from) => {
    const inferred = inferVersion(keys, nested)
    expect(inferred.version).toEqual(parseVersion(version))
    expect(inferred.from).toBe(from)
    expect(inferred.note).toContain(from === null ? 'assuming' : `inferred ${version} or later`)
  })

  it('says when a key bounds the version from above', () => {
    expect(inferVersion(['webrtcICEInterfaces']).note).toContain('before v1.3.0')
    expect(keyRemovedIn('webrtcICEInterfaces')).toEqual([1, 3, 0])
    expect(isKeyAccepted('readBufferSize', v('v0.17.17'))).toBe(true)
    expect(isKeyAccepted('readBufferSize', v('v1.0.0'))).toBe(false)
  })
})

describe('deprecations', () => {
  it('lists deprecated keys with replacement and release', () => {
    expect(deprecatedKeysIn(['webrtc', 'webrtcICEHostNAT1To1IPs', 'webrtcICEInterfaces'])).toMatchObject([
      {key: 'webrtcICEHostNAT1To1IPs', replacement: 'webrtcAdditionalHosts', since: 'v1.3.0', removedIn: null},
      {key: 'webrtcICEInterfaces', replacement: 'webrtcIPsFromInterfacesList', since: 'v1.3.0', removedIn: 'v1.3.0'},
    ])
  })
})

describe('validation', () => {
  const problems = (yaml: string, version: string) => validateConfig(parseConfigDoc(yaml, 'm.yml'), v(version))
  it.each([
    [
      'webrtc: yes\nwebrtcLocalUDPAddress: ""\nwebrtcICEServers2: []\n',
      'v1.20.1',
      /at least one between 'webrtcLocalUDPAddress'/,
    ],
    ['webrtc: no\nwebrtcLocalUDPAddress: ""\nwebrtcICEServers2: []\n', 'v1.15.0', /at least one between/],
    ['webrtc: yes\nwebrtcAddress: ""\n', 'v1.20.1', /'webrtcAddress' must be set/],
    ['webrtcICEServers: [http://x:1]\n', 'v0.23.0', /invalid ICE server/],
    ['webrtcHandshakeTimeout: soon\n', 'v1.20.1', /expected a duration/],
    ['webrtcICEServers2:\n  - url: stun:s:1\n    foo: 1\n', 'v1.20.1', /entries have no field foo/],
  ])('%j on %s', (yaml, version, message) => {
    expect(
      problems(yaml, version)
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(message)
  })

  it('does not apply the v1.16 rules to a disabled WebRTC', () => {
    expect(problems('webrtc: no\nwebrtcLocalUDPAddress: ""\nwebrtcICEServers2: []\n', 'v1.20.1')).toEqual([])
  })

  it('accepts every default file for its own version', async () => {
    const {FIXTURES, fixture, versionOf} = await import('../../support/mediamtx.js')
    for (const file of FIXTURES) {
      expect(validateConfig(parseConfigDoc(fixture(file), file), versionOf(file)), file).toEqual([])
    }
  })
})

describe('MTX_* overrides', () => {
  it('maps variables to the keys they override', () => {
    expect(
      envOverrides({
        MTX_WEBRTCADDITIONALHOSTS: '1.2.3.4',
        MTX_WEBRTCICESERVERS2_0_URL: 'turn:x:1',
        RTSP_PROTOCOLS: 'tcp',
        MTX_CONFKEY: 'k',
        MTX_NOPE: '1',
        PATH: '/bin',
      }),
    ).toEqual([
      {variable: 'MTX_CONFKEY', key: 'confKey'},
      {variable: 'MTX_WEBRTCADDITIONALHOSTS', key: 'webrtcAdditionalHosts'},
      {variable: 'MTX_WEBRTCICESERVERS2_0_URL', key: 'webrtcICEServers2'},
      {variable: 'RTSP_PROTOCOLS', key: 'protocols'},
    ])
  })
})

describe('unified diff', () => {
  /** Applies a unified diff (test-only), to check the diff describes the change exactly. */
  function patch(text: string, diff: string): string {
    const lines = text.split('\n')
    const out: string[] = []
    let at = 0
    const hunks = diff.split('\n').slice(2)
    for (let i = 0; i < hunks.length; i++) {
      const h = /^@@ -(\d+)(?:,(\d+))? \+/.exec(hunks[i] as string)
      if (!h) continue
      const start = Number(h[1]) - (h[2] === '0' ? 0 : 1)
      while (at < start) out.push(lines[at++] as string)
      for (i++; i < hunks.length && !(hunks[i] as string).startsWith('@@'); i++) {
        const line = hunks[i] as string
        if (line.startsWith('+')) out.push(line.slice(1))
        else if (line.startsWith('-')) at++
        else if (line.startsWith(' ')) out.push(lines[at++] as string)
      }
      i--
    }
    while (at < lines.length) out.push(lines[at++] as string)
    return out.join('\n')
  }

  it('is empty for equal texts', () => expect(unifiedDiff('a\n', 'a\n', 'x', 'x')).toBe(''))

  it('prints hunks with context and line numbers like diff -u', () => {
    expect(unifiedDiff('a\nb\nc\nd\ne\nf\ng\nh\n', 'a\nb\nc\nD\ne\nf\ng\nh\n', 'f', 'f')).toBe(
      '--- f\n+++ f\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n',
    )
  })

  it('describes random edits exactly (apply it and get the new text)', () => {
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let round = 0; round < 200; round++) {
      const make = () => `${Array.from({length: rand(30)}, () => 'abcd'[rand(4)]).join('\n')}\n`
      const a = make()
      const b = make()
      expect(patch(a, unifiedDiff(a, b, 'a', 'b'))).toBe(b)
    }
  })
})
