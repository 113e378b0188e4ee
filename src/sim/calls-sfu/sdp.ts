/**
 * SDP at the emulator's edge.
 *
 * Inbound: every offer and answer is checked line by line before werift sees it, so malformed input gets
 * a 400 `invalid_session_description` instead of reaching a parser that may throw (or worse) on it.
 * `a=bundle-only` sections (port 0, as GStreamer sends them) are accepted by rewriting them to port 9,
 * which werift needs (it treats a port-0 section as rejected).
 *
 * Outbound: werift's descriptions are reshaped the way Calls writes them (docs/calls-api.md
 * "The SFU's SDP"): `a=ice-lite` and the DTLS fingerprint at session level, `a=extmap-allow-mixed`, no trickle.
 */
import {invalidSessionDescription} from './api-error.js'

export type SdpKind = 'audio' | 'video' | 'application'
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

export interface SdpSection {
  kind: SdpKind
  mid: string
  port: number
  direction: SdpDirection
  /** Payload types offered (audio/video). */
  payloadTypes: number[]
  /** `a=rtpmap` names by payload type, lower case (`vp8`, `opus`). */
  codecs: Map<number, string>
  ssrcs: number[]
}

export interface SdpSummary {
  sections: SdpSection[]
  bundle: string[]
}

const MAX_SDP_BYTES = 128 * 1024
const LINE = /^[a-z]=/
const M_LINE = /^m=(audio|video|application) (\d{1,5})(?:\/\d+)? ([A-Za-z/]+) (.+)$/
const FINGERPRINT = /^a=fingerprint:(sha-1|sha-224|sha-256|sha-384|sha-512) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)$/
const CANDIDATE =
  /^a=candidate:\S{1,64} \d{1,3} (udp|tcp|UDP|TCP) \d{1,10} [0-9A-Za-z.:%-]{1,255} \d{1,5} typ (host|srflx|prflx|relay)(?: \S+ \S+)*$/
const RTPMAP = /^a=rtpmap:(\d{1,3}) ([A-Za-z0-9_.-]{1,32})\/(\d{1,6})(?:\/(\d{1,2}))?$/
const EXTMAP = /^a=extmap:(\d{1,3})(?:\/(?:sendrecv|sendonly|recvonly|inactive))? (\S{1,256})(?: .*)?$/
const ICE_CHARS = /^[A-Za-z0-9+/]{4,256}$/
const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive'])

function fail(detail: string): never {
  throw invalidSessionDescription(`Invalid SDP: ${detail}`)
}

interface RawSection {
  header: string
  lines: string[]
}

function split(sdp: string): {session: string[]; sections: RawSection[]} {
  const session: string[] = []
  const sections: RawSection[] = []
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trimEnd()
    if (line.length === 0) continue
    if (line.startsWith('m=')) sections.push({header: line, lines: []})
    else if (sections.length === 0) session.push(line)
    else sections[sections.length - 1]?.lines.push(line)
  }
  return {session, sections}
}

function attribute(lines: readonly string[], name: string): string | undefined {
  const prefix = `a=${name}:`
  return lines.find((line) => line.startsWith(prefix))?.slice(prefix.length)
}

function hasFlag(lines: readonly string[], name: string): boolean {
  return lines.includes(`a=${name}`)
}

/**
 * Checks an SDP well enough that werift can take it, and summarises its media sections. Throws a 400
 * `invalid_session_description` naming the first problem.
 */
export function checkSdp(sdp: string, type: 'offer' | 'answer'): SdpSummary {
  if (Buffer.byteLength(sdp) > MAX_SDP_BYTES) fail(`larger than ${MAX_SDP_BYTES} bytes`)
  if (!sdp.startsWith('v=0')) fail('it must start with "v=0"')
  const {session, sections} = split(sdp)
  for (const line of [...session, ...sections.flatMap((s) => [s.header, ...s.lines])]) {
    if (!LINE.test(line)) fail(`malformed line ${JSON.stringify(line.slice(0, 60))}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line)) fail('control characters')
  }
  if (!session.some((l) => l.startsWith('o='))) fail('no "o=" line')
  if (sections.length === 0) fail('no media sections')
  if (sections.length > 256) fail('more than 256 media sections')
  const group = attribute(session, 'group')
  const bundle = group?.startsWith('BUNDLE ') ? group.slice(7).trim().split(/\s+/) : []
  const sessionUfrag = attribute(session, 'ice-ufrag')
  const sessionPwd = attribute(session, 'ice-pwd')
  const sessionFingerprint = session.find((l) => l.startsWith('a=fingerprint:'))
  const sessionSetup = attribute(session, 'setup')
  if (sessionFingerprint !== undefined && !FINGERPRINT.test(sessionFingerprint)) fail('malformed a=fingerprint')
  const mids = new Set<string>()
  const summary: SdpSection[] = []
  for (const section of sections) {
    const m = M_LINE.exec(section.header)
    if (!m) fail(`malformed media line ${JSON.stringify(section.header.slice(0, 60))}`)
    const kind = m[1] as SdpKind
    const port = Number(m[2])
    const proto = m[3] as string
    if (port > 65535) fail(`port ${port} in ${JSON.stringify(section.header.slice(0, 40))}`)
    const mid = attribute(section.lines, 'mid')
    if (mid === undefined || mid.length === 0 || mid.length > 64 || /\s/.test(mid)) {
      fail(`media section ${summary.length} has no valid a=mid`)
    }
    if (mids.has(mid)) fail(`duplicate mid ${JSON.stringify(mid)}`)
    mids.add(mid)
    const rejected = port === 0 && !hasFlag(section.lines, 'bundle-only')
    const payloadTypes: number[] = []
    const codecs = new Map<number, string>()
    if (kind === 'application') {
      if (!/DTLS\/SCTP/.test(proto)) fail(`application section ${mid}: protocol ${proto} is not UDP/DTLS/SCTP`)
    } else {
      if (!/^(UDP\/TLS|TCP\/DTLS)\/RTP\/SAVPF$/.test(proto)) {
        fail(`media section ${mid}: protocol ${proto} is not UDP/TLS/RTP/SAVPF (WebRTC requires DTLS-SRTP)`)
      }
      for (const pt of (m[4] as string).split(' ')) {
        if (!/^\d{1,3}$/.test(pt) || Number(pt) > 127) fail(`media section ${mid}: payload type ${JSON.stringify(pt)}`)
        payloadTypes.push(Number(pt))
      }
      for (const line of section.lines) {
        if (line.startsWith('a=rtpmap:')) {
          const r = RTPMAP.exec(line)
          if (!r || Number(r[1]) > 127) fail(`media section ${mid}: malformed ${JSON.stringify(line.slice(0, 60))}`)
          codecs.set(Number(r[1]), (r[2] as string).toLowerCase())
        } else if (line.startsWith('a=extmap:')) {
          const e = EXTMAP.exec(line)
          if (!e || Number(e[1]) < 1 || Number(e[1]) > 255) fail(`media section ${mid}: malformed a=extmap`)
        } else if (/^a=(fmtp|rtcp-fb):/.test(line)) {
          if (!/^a=(fmtp|rtcp-fb):(\d{1,3}|\*) \S/.test(line))
            fail(`media section ${mid}: malformed ${line.slice(0, 40)}`)
        } else if (line.startsWith('a=ssrc:')) {
          const s = /^a=ssrc:(\d{1,10})(?: .*)?$/.exec(line)
          if (!s || Number(s[1]) > 0xffffffff) fail(`media section ${mid}: malformed a=ssrc`)
        } else if (line.startsWith('a=ssrc-group:')) {
          if (!/^a=ssrc-group:[A-Za-z-]+( \d{1,10})+$/.test(line)) fail(`media section ${mid}: malformed a=ssrc-group`)
        }
      }
      if (!rejected && payloadTypes.every((pt) => pt >= 96 && !codecs.has(pt))) {
        fail(`media section ${mid}: no a=rtpmap for its payload types`)
      }
    }
    for (const line of section.lines) {
      if (line.startsWith('a=candidate:') && !CANDIDATE.test(line)) fail(`media section ${mid}: malformed a=candidate`)
      if (line.startsWith('a=fingerprint:') && !FINGERPRINT.test(line))
        fail(`media section ${mid}: malformed a=fingerprint`)
      if (line.startsWith('a=rid:') && !/^a=rid:[A-Za-z0-9_-]{1,16} (send|recv)( .*)?$/.test(line)) {
        fail(`media section ${mid}: malformed a=rid`)
      }
    }
    const directions = section.lines.filter((l) => DIRECTIONS.has(l.slice(2)))
    if (directions.length > 1) fail(`media section ${mid}: more than one direction`)
    const direction = (directions[0]?.slice(2) ?? 'sendrecv') as SdpDirection
    const ssrcs = [
      ...new Set(section.lines.filter((l) => l.startsWith('a=ssrc:')).map((l) => Number(/^a=ssrc:(\d+)/.exec(l)?.[1]))),
    ]
    if (!rejected) {
      if (bundle.length === 0) fail('no a=group:BUNDLE: Calls bundles every media section on one transport')
      if (!bundle.includes(mid)) fail(`media section ${mid} is not in the BUNDLE group`)
      const inherits = bundle[0] !== mid
      const ufrag = attribute(section.lines, 'ice-ufrag') ?? sessionUfrag
      const pwd = attribute(section.lines, 'ice-pwd') ?? sessionPwd
      if (!inherits || ufrag !== undefined || pwd !== undefined) {
        if (ufrag === undefined || pwd === undefined) fail(`media section ${mid}: no a=ice-ufrag / a=ice-pwd`)
        if (!ICE_CHARS.test(ufrag) || !ICE_CHARS.test(pwd)) fail(`media section ${mid}: malformed ICE credentials`)
      }
      const fingerprint = section.lines.some((l) => l.startsWith('a=fingerprint:')) || sessionFingerprint !== undefined
      if (!fingerprint && !inherits) fail(`media section ${mid}: no a=fingerprint`)
      const setup = attribute(section.lines, 'setup') ?? sessionSetup
      if (setup !== undefined) {
        const allowed = type === 'offer' ? ['actpass', 'active', 'passive'] : ['active', 'passive']
        if (!allowed.includes(setup)) fail(`media section ${mid}: a=setup:${setup} is not valid in an ${type}`)
      } else if (!inherits) {
        fail(`media section ${mid}: no a=setup`)
      }
      if (kind !== 'application' && !hasFlag(section.lines, 'rtcp-mux') && !inherits) {
        fail(`media section ${mid}: no a=rtcp-mux (Calls requires RTCP multiplexing)`)
      }
    }
    summary.push({kind, mid, port, direction, payloadTypes, codecs, ssrcs})
  }
  for (const mid of bundle)
    if (!mids.has(mid)) fail(`the BUNDLE group names mid ${JSON.stringify(mid)}, which has no section`)
  return {sections: summary, bundle}
}

/** Rewrites `a=bundle-only` sections (port 0) to port 9 so werift does not treat them as rejected. */
export function acceptBundleOnly(sdp: string): string {
  const {session, sections} = split(sdp)
  const out = [...session]
  for (const section of sections) {
    if (section.lines.includes('a=bundle-only')) {
      out.push(section.header.replace(/^(m=\w+) 0 /, '$1 9 '))
      out.push(...section.lines.filter((line) => line !== 'a=bundle-only'))
    } else {
      out.push(section.header, ...section.lines)
    }
  }
  return `${out.join('\r\n')}\r\n`
}

/**
 * werift's description in Calls' shape: `a=ice-lite` (for ICE-lite sessions) and the fingerprint moved to
 * session level, `a=extmap-allow-mixed` and `a=msid-semantic` present, trickle not advertised.
 */
export function toCallsSdp(sdp: string, iceLite: boolean): string {
  const {session, sections} = split(sdp)
  const fingerprint = sections.flatMap((s) => s.lines).find((l) => l.startsWith('a=fingerprint:'))
  const head = session.filter((l) => l !== 'a=ice-lite' && !l.startsWith('a=fingerprint:'))
  const extra: string[] = []
  if (iceLite) extra.push('a=ice-lite')
  if (fingerprint) extra.push(fingerprint)
  if (!head.includes('a=extmap-allow-mixed')) extra.push('a=extmap-allow-mixed')
  if (!head.some((l) => l.startsWith('a=msid-semantic'))) extra.push('a=msid-semantic:WMS *')
  // Session attributes go after t= (RFC 8866 order: v o s … t … a=).
  const tIndex = head.findIndex((l) => l.startsWith('t='))
  const out = tIndex < 0 ? [...head, ...extra] : [...head.slice(0, tIndex + 1), ...extra, ...head.slice(tIndex + 1)]
  for (const section of sections) {
    out.push(section.header)
    for (const line of section.lines) {
      if (line === 'a=ice-lite' || line.startsWith('a=fingerprint:') || line === 'a=ice-options:trickle') continue
      out.push(line)
    }
  }
  return `${out.join('\r\n')}\r\n`
}
