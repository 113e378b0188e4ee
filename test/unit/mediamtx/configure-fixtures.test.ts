/**
 * Every default config from v0.21.0 to v1.20.1 × every configure operation: the diff touches only the lines
 * of the intended keys, the result parses and holds the intended values, everything else is byte-identical,
 * and running the same operation again changes nothing.
 */
import {isDeepStrictEqual} from 'node:util'
import {describe, expect, it} from 'vitest'
import {parseConfigDoc} from '../../../src/mediamtx/config-doc.js'
import {readMediamtxConfig} from '../../../src/mediamtx/config-read.js'
import {type PlannedEdit, planConfigure, versionFromFlag} from '../../../src/mediamtx/configure.js'
import {deprecatedKeysIn} from '../../../src/mediamtx/deprecations.js'
import type {Operation} from '../../../src/mediamtx/operations.js'
import {formatVersion} from '../../../src/mediamtx/version.js'
import {atLeastFile, diffLines, FIXTURES, fixture, keyLines, versionOf, within} from '../../support/mediamtx.js'

const TURN = 'turn:turn.example.net:3478?transport=udp'
const GOOGLE = 'stun:stun.l.google.com:19302'

interface OpCase {
  name: string
  operations: Operation[]
  /** Target version; the fixture's own by default. */
  target?: string
  /** Why the fixture's version refuses it (message fragment), if it does. */
  refusedBefore?: [string, string]
  /** The intended values, read back with MediaMTX's semantics. */
  expect: (
    after: ReturnType<typeof readMediamtxConfig>,
    before: ReturnType<typeof readMediamtxConfig>,
    file: string,
  ) => void
}

const turn = (clientOnly?: boolean): Operation => ({
  op: 'ice-server',
  server: {url: TURN, username: 'r58user', password: 'r58pass', ...(clientOnly !== undefined && {clientOnly})},
})

const CASES: OpCase[] = [
  {
    name: 'add-host IP',
    operations: [{op: 'add-host', host: '100.64.0.5'}],
    expect: (a) => expect(a.webrtc.additionalHosts).toContain('100.64.0.5'),
  },
  {
    name: 'add-host name',
    operations: [{op: 'add-host', host: 'box.example.net'}],
    expect: (a) => expect(a.webrtc.additionalHosts).toContain('box.example.net'),
  },
  {
    name: 'turn',
    operations: [turn()],
    expect: (a) =>
      expect(a.webrtc.iceServers).toContainEqual({
        url: TURN,
        username: 'r58user',
        password: 'r58pass',
        clientOnly: false,
      }),
  },
  {
    name: 'turn --client-only',
    operations: [turn(true)],
    refusedBefore: ['v1.7.0', 'needs MediaMTX v1.7.0'],
    expect: (a) =>
      expect(a.webrtc.iceServers).toContainEqual({
        url: TURN,
        username: 'r58user',
        password: 'r58pass',
        clientOnly: true,
      }),
  },
  {
    name: 'client-only on existing servers',
    operations: [{op: 'client-only'}],
    refusedBefore: ['v1.7.0', 'needs MediaMTX v1.7.0'],
    expect: (a) => expect(a.webrtc.iceServers.every((s) => s.clientOnly)).toBe(true),
  },
  {
    name: 'remove-ice-server',
    operations: [{op: 'remove-ice-server', url: GOOGLE}],
    expect: (a) => expect(a.webrtc.iceServers.map((s) => s.url)).not.toContain(GOOGLE),
  },
  {
    name: 'tcp-address',
    operations: [{op: 'tcp-address', address: ':8189'}],
    expect: (a) => expect(a.webrtc.localTCPAddress).toBe(':8189'),
  },
  {
    name: 'udp-address',
    operations: [{op: 'udp-address', address: ':8190'}],
    expect: (a) => expect(a.webrtc.localUDPAddress).toBe(':8190'),
  },
  {
    name: 'add-path',
    operations: [{op: 'add-path', name: 'guest/cam1'}],
    expect: (a) => expect(a.paths).toContain('guest/cam1'),
  },
  {
    name: 'migrate-deprecated (server upgraded to v1.20.1)',
    operations: [{op: 'migrate-deprecated'}],
    target: 'v1.20.1',
    expect: (a, b) => {
      expect(deprecatedKeysIn(a.keys)).toEqual([])
      expect(a.webrtc.enabled).toBe(b.webrtc.enabled)
      expect(a.webrtc.additionalHosts).toEqual(b.webrtc.additionalHosts)
      expect(a.webrtc.iceServers).toEqual(b.webrtc.iceServers)
      expect(a.webrtc.allowOrigins).toEqual(b.webrtc.allowOrigins)
      expect(a.webrtc.localTCPAddress).toBe(b.webrtc.localTCPAddress)
      // What MediaMTX v1.3.0+ does with a null webrtcICEUDPMuxAddress: the :8189 default.
      expect(a.webrtc.localUDPAddress).toBe(':8189')
    },
  },
  {
    name: 'several at once',
    operations: [
      {op: 'add-host', host: '100.64.0.5'},
      {op: 'add-host', host: '203.0.113.7'},
      turn(),
      {op: 'tcp-address', address: ':8189'},
      {op: 'add-path', name: 'guest'},
    ],
    expect: (a) => {
      expect(a.webrtc.additionalHosts).toEqual(expect.arrayContaining(['100.64.0.5', '203.0.113.7']))
      expect(a.webrtc.iceServers.map((s) => s.url)).toContain(TURN)
      expect(a.webrtc.localTCPAddress).toBe(':8189')
      expect(a.paths).toContain('guest')
    },
  },
]

function plan(text: string, file: string, operations: Operation[], target: string): PlannedEdit {
  return planConfigure(text, file, {operations, version: versionFromFlag(target)})
}

/** For client-only: a file that already has a TURN server (added by r58, not client-only). */
function prepared(file: string, name: string, target: string): string {
  const text = fixture(file)
  if (name !== 'client-only on existing servers') return text
  return plan(text, file, [turn()], target).after
}

describe.each(FIXTURES)('%s', (file) => {
  const own = formatVersion(versionOf(file))

  it.each(CASES)('$name', ({name, operations, target, refusedBefore, expect: check}) => {
    const version = target ?? own
    if (!atLeastFile(file, 'v0.23.0') && !target) {
      expect(() => plan(fixture(file), file, operations, version)).toThrow(
        expect.objectContaining({code: 'E_MEDIAMTX_CONFIG', text: expect.stringContaining('WHIP arrived in v0.23.0')}),
      )
      return
    }
    if (refusedBefore && !atLeastFile(file, refusedBefore[0]) && !target) {
      expect(() => plan(prepared(file, name, version), file, operations, version)).toThrow(
        expect.objectContaining({
          code: 'E_MEDIAMTX_CONFIG',
          exitCode: 6,
          text: expect.stringContaining(refusedBefore[1]),
        }),
      )
      return
    }
    const text = prepared(file, name, version)
    const result = plan(text, file, operations, version)
    const before = parseConfigDoc(text, file)
    const after = parseConfigDoc(result.after, file)

    // The result parses, and holds the intended values.
    const view = readMediamtxConfig(result.after, file)
    check(view, readMediamtxConfig(text, file), file)
    for (const change of result.changes) {
      if (change.after !== undefined) expect(after.value(change.key)).toEqual(change.after)
    }

    // Only the intended keys' lines changed; every other key is byte-identical.
    const touched = new Set(result.changes.flatMap((c) => [c.key, c.renamedFrom ?? c.key]))
    for (const key of before.keys()) {
      if (touched.has(key)) continue
      const a = before.entry(key)
      const b = after.entry(key)
      expect(b, `${key} is still there`).toBeDefined()
      if (a && b) expect(result.after.slice(b.keyStart, b.end)).toBe(text.slice(a.keyStart, a.end))
      expect(isDeepStrictEqual(after.value(key), before.value(key)), `${key} kept its value`).toBe(true)
    }
    const {removed, added} = diffLines(result.diff)
    const oldRanges = keyLines(before, touched)
    const newRanges = keyLines(after, touched)
    for (const line of removed)
      expect(within(line, oldRanges), `removed line ${line} belongs to ${[...touched]}`).toBe(true)
    for (const line of added)
      expect(within(line, newRanges), `added line ${line} belongs to ${[...touched]}`).toBe(true)
    if (result.changes.length === 0) expect(result.after).toBe(text)
    else expect(removed.length + added.length).toBeGreaterThan(0)

    // Running it again changes nothing.
    const again = plan(result.after, file, operations, version)
    expect(again.changes).toEqual([])
    expect(again.after).toBe(result.after)
    expect(again.diff).toBe('')
  })

  it('adding a TURN server and removing it again gives back the original bytes', () => {
    const text = fixture(file)
    if (!atLeastFile(file, 'v0.23.0')) {
      expect(() => plan(text, file, [turn()], own)).toThrow(expect.objectContaining({exitCode: 6}))
      return
    }
    const added = plan(text, file, [turn()], own)
    expect(added.changes).toHaveLength(1)
    const removed = plan(added.after, file, [{op: 'remove-ice-server', url: TURN}], own)
    expect(removed.after).toBe(text)
  })
})

it('covers all 27 fixtures', () => {
  expect(FIXTURES).toHaveLength(27)
})
