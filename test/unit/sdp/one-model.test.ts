/**
 * Issue #16: one SDP model. Only src/sdp/ reads or writes SDP lines; every other module (the WHIP probe, the
 * relay, the Calls emulator, the MediaMTX stand-in) goes through it. This scans src/ for code that walks SDP
 * lines itself, and shows on the code that was there before the model that the scan would have caught it.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

const SRC = join(import.meta.dirname, '../../../src')
const MODEL = join(SRC, 'sdp')

/** What walking SDP lines looks like in code (comments removed first). */
const WALKS: readonly {what: string; pattern: RegExp}[] = [
  {what: 'tests a line for an m= or a= prefix', pattern: /startsWith\(\s*['"`][am]=/},
  {what: 'a regular expression anchored on an m= or a= line', pattern: /\^\(?(?:\?:)?\[?[am](?:\|[am])?\]?\)?=/},
  {what: 'an a= line as a string', pattern: /['"`]a=[a-z][a-z-]*(?::|['"`]|\$\{)/},
  {what: 'an m-line as a string', pattern: /['"`]m=(?:\$\{|audio|video|application)/},
]

/** Block and line comments out; strings are left alone (a `//` inside one can only hide code, never add any). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')

function walks(text: string): string[] {
  const body = code(text)
  return WALKS.filter(({pattern}) => pattern.test(body)).map(({what}) => what)
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return path === MODEL ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

describe('one SDP model: no module outside src/sdp walks SDP lines', () => {
  it('finds none in src/', () => {
    const offenders = sourceFiles(SRC).flatMap((file) =>
      walks(readFileSync(file, 'utf8')).map((what) => `${relative(SRC, file)}: ${what}`),
    )
    expect(offenders).toEqual([])
  })

  // Lines of the code each module had before the model (git cde6a86): the scan must flag every one.
  it.each([
    ['src/sim/calls-sfu/sdp.ts', "if (line.startsWith('m=')) sections.push({header: line, lines: []})"],
    ['src/sim/calls-sfu/sdp.ts', 'const M_LINE = /^m=(audio|video|application) (\\d{1,5})(?:\\/\\d+)? (.+)$/'],
    ['src/sim/calls-sfu/sdp.ts', '} else if (/^a=(fmtp|rtcp-fb):/.test(line)) {'],
    ['src/sim/calls-sfu/sdp.ts', "if (line === 'a=ice-lite' || line === 'a=ice-options:trickle') continue"],
    ['src/relay/offer-check.ts', 'const kinds = [...sdp.matchAll(/^m=(\\w+) /gm)].map((m) => m[1])'],
    ['src/relay/ingress.ts', "if (match === '*' && /^a=ice-(ufrag|pwd):/m.test(fragment)) {"],
    ['src/relay/whep-facade.ts', 'const iceUfrag = (sdp: string) => /^a=ice-ufrag:(\\S+)/m.exec(sdp)?.[1] ?? null'],
    ['src/sim/mediamtx/standin-session.ts', "const firstMedia = lines.findIndex((line) => line.startsWith('m='))"],
    ['src/sim/mediamtx/standin-session.ts', "lines.splice(end, 0, ...candidates, 'a=end-of-candidates')"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of the old source, quoted
    ['src/whip/sdpfrag.ts', 'lines.push(`m=${section.kind} 9 RTP/AVP 0`, `a=mid:${section.mid}`)'],
    ['src/whip/sdpfrag.ts', "else if (line.startsWith('a=mid:')) mid = line.slice('a=mid:'.length)"],
    ['src/webrtc/scope.ts', "if (!line.startsWith('a=candidate:')) return true"],
    ['src/ice/ice-candidate.ts', "const text = line.trim().replace(/^a=/, '').replace(/^candidate:/, '')"],
  ])('would have caught %s: %s', (_file, line) => {
    expect(walks(line)).not.toEqual([])
  })

  it.each([
    "// a comment about line.startsWith('m=') is not code",
    "fail('media section 0: no a=ice-ufrag / a=ice-pwd')",
    'reason: \'a media line is malformed (expected "m=<kind> <port> <proto> <payload types>")\'',
    "const body = text.split(/\\r?\\n/).filter((line) => line.startsWith('HTTP/'))",
    "const url = 'http://box:8889/cam/whip' // m=",
  ])('lets through what is not SDP walking: %s', (line) => {
    expect(walks(line)).toEqual([])
  })
})
