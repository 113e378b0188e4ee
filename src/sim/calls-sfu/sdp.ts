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
 *
 * Lines, sections and attributes are read and written with r58's SDP model (src/sdp/sdp-document.ts); what is
 * here is the emulator's own: Calls' rules for an SDP and Calls' shape of one.
 */
import {unbundleSections} from '../../sdp/munge.js'
import {
  attributeLine,
  attributeValue,
  attributeValues,
  documentLines,
  hasFlag,
  isAttribute,
  parseSdpDocument,
  type SdpDocument,
  type SdpSection as SdpDocumentSection,
  type SdpLine,
  sdpAttribute,
  serializeSdp,
} from '../../sdp/sdp-document.js'
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
/** Calls' m-line grammar (the value after `m=`): one of its kinds, a port, a protocol, formats. */
const MEDIA = /^(audio|video|application) (\d{1,5})(?:\/\d+)? ([A-Za-z/]+) (.+)$/
const FINGERPRINT = /^(sha-1|sha-224|sha-256|sha-384|sha-512) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)$/
const CANDIDATE =
  /^\S{1,64} \d{1,3} (udp|tcp|UDP|TCP) \d{1,10} [0-9A-Za-z.:%-]{1,255} \d{1,5} typ (host|srflx|prflx|relay)(?: \S+ \S+)*$/
const RTPMAP = /^(\d{1,3}) ([A-Za-z0-9_.-]{1,32})\/(\d{1,6})(?:\/(\d{1,2}))?$/
const EXTMAP = /^(\d{1,3})(?:\/(?:sendrecv|sendonly|recvonly|inactive))? (\S{1,256})(?: .*)?$/
const ICE_CHARS = /^[A-Za-z0-9+/]{4,256}$/
const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive'])

function fail(detail: string): never {
  throw invalidSessionDescription(`Invalid SDP: ${detail}`)
}

/** What the session part sets for every section (ICE, DTLS, BUNDLE). */
interface SessionLevel {
  bundle: string[]
  ufrag: string | undefined
  pwd: string | undefined
  fingerprint: string | undefined
  setup: string | undefined
}

/** The SDP as the emulator reads it: lines trimmed, empty lines skipped. */
const read = (sdp: string): SdpDocument => parseSdpDocument(sdp, {trim: true})

/**
 * Checks an SDP well enough that werift can take it, and summarises its media sections. Throws a 400
 * `invalid_session_description` naming the first problem.
 */
export function checkSdp(sdp: string, type: 'offer' | 'answer'): SdpSummary {
  if (Buffer.byteLength(sdp) > MAX_SDP_BYTES) fail(`larger than ${MAX_SDP_BYTES} bytes`)
  if (!sdp.startsWith('v=0')) fail('it must start with "v=0"')
  const document = read(sdp)
  for (const {line} of documentLines(document)) {
    if (line.type === null) fail(`malformed line ${JSON.stringify(line.text.slice(0, 60))}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line.text)) fail('control characters')
  }
  const {session, sections} = document
  if (!session.some((l) => l.type === 'o')) fail('no "o=" line')
  if (sections.length === 0) fail('no media sections')
  if (sections.length > 256) fail('more than 256 media sections')
  const level = sessionLevel(session)
  const mids = new Set<string>()
  const summary: SdpSection[] = []
  for (const section of sections) summary.push(checkSection(section, summary.length, mids, level, type))
  for (const mid of level.bundle)
    if (!mids.has(mid)) fail(`the BUNDLE group names mid ${JSON.stringify(mid)}, which has no section`)
  return {sections: summary, bundle: level.bundle}
}

function sessionLevel(session: readonly SdpLine[]): SessionLevel {
  const group = attributeValue(session, 'group')
  const fingerprint = attributeValue(session, 'fingerprint')
  if (fingerprint !== undefined && !FINGERPRINT.test(fingerprint)) fail('malformed a=fingerprint')
  return {
    bundle: group?.startsWith('BUNDLE ') ? group.slice(7).trim().split(/\s+/) : [],
    ufrag: attributeValue(session, 'ice-ufrag'),
    pwd: attributeValue(session, 'ice-pwd'),
    fingerprint,
    setup: attributeValue(session, 'setup'),
  }
}

/** One media section: its m-line, mid, formats and attributes, and (unless rejected) its transport. */
function checkSection(
  section: SdpDocumentSection,
  index: number,
  mids: Set<string>,
  level: SessionLevel,
  type: 'offer' | 'answer',
): SdpSection {
  const {mLine, lines} = section
  if (!MEDIA.test(mLine.value)) fail(`malformed media line ${JSON.stringify(mLine.text.slice(0, 60))}`)
  const kind = section.kind as SdpKind
  const {port, proto} = section
  if (port > 65535) fail(`port ${port} in ${JSON.stringify(mLine.text.slice(0, 40))}`)
  const mid = attributeValue(lines, 'mid')
  if (mid === undefined || mid.length === 0 || mid.length > 64 || /\s/.test(mid)) {
    fail(`media section ${index} has no valid a=mid`)
  }
  if (mids.has(mid)) fail(`duplicate mid ${JSON.stringify(mid)}`)
  mids.add(mid)
  const rejected = port === 0 && !hasFlag(lines, 'bundle-only')
  const payloadTypes: number[] = []
  const codecs = new Map<number, string>()
  if (kind === 'application') {
    if (!/DTLS\/SCTP/.test(proto)) fail(`application section ${mid}: protocol ${proto} is not UDP/DTLS/SCTP`)
  } else {
    if (!/^(UDP\/TLS|TCP\/DTLS)\/RTP\/SAVPF$/.test(proto)) {
      fail(`media section ${mid}: protocol ${proto} is not UDP/TLS/RTP/SAVPF (WebRTC requires DTLS-SRTP)`)
    }
    for (const pt of section.formats) {
      if (!/^\d{1,3}$/.test(pt) || Number(pt) > 127) fail(`media section ${mid}: payload type ${JSON.stringify(pt)}`)
      payloadTypes.push(Number(pt))
    }
    for (const line of lines) checkRtpAttribute(line, mid, codecs)
    if (!rejected && payloadTypes.every((pt) => pt >= 96 && !codecs.has(pt))) {
      fail(`media section ${mid}: no a=rtpmap for its payload types`)
    }
  }
  for (const line of lines) checkAttribute(line, mid)
  // Every line here is `<type>=<value>` (checked above): a direction is a value `sendonly`, … (`a=sendonly`).
  const directions = lines.filter((l) => DIRECTIONS.has(l.value))
  if (directions.length > 1) fail(`media section ${mid}: more than one direction`)
  const direction = (directions[0]?.value ?? 'sendrecv') as SdpDirection
  const ssrcs = [...new Set(attributeValues(lines, 'ssrc').map((v) => Number(/^(\d+)/.exec(v)?.[1])))]
  if (!rejected) checkTransport(section, mid, level, type)
  return {kind, mid, port, direction, payloadTypes, codecs, ssrcs}
}

/** The RTP attributes of an audio/video section: rtpmap (collected into `codecs`), extmap, fmtp, rtcp-fb, ssrc. */
function checkRtpAttribute(line: SdpLine, mid: string, codecs: Map<number, string>): void {
  const attribute = sdpAttribute(line)
  if (attribute?.value == null) return
  const {name, value} = attribute
  if (name === 'rtpmap') {
    const r = RTPMAP.exec(value)
    if (!r || Number(r[1]) > 127) fail(`media section ${mid}: malformed ${JSON.stringify(line.text.slice(0, 60))}`)
    codecs.set(Number(r[1]), (r[2] as string).toLowerCase())
  } else if (name === 'extmap') {
    const e = EXTMAP.exec(value)
    if (!e || Number(e[1]) < 1 || Number(e[1]) > 255) fail(`media section ${mid}: malformed a=extmap`)
  } else if (name === 'fmtp' || name === 'rtcp-fb') {
    if (!/^(\d{1,3}|\*) \S/.test(value)) fail(`media section ${mid}: malformed ${line.text.slice(0, 40)}`)
  } else if (name === 'ssrc') {
    const s = /^(\d{1,10})(?: .*)?$/.exec(value)
    if (!s || Number(s[1]) > 0xffffffff) fail(`media section ${mid}: malformed a=ssrc`)
  } else if (name === 'ssrc-group') {
    if (!/^[A-Za-z-]+( \d{1,10})+$/.test(value)) fail(`media section ${mid}: malformed a=ssrc-group`)
  }
}

/** Attributes of any section: candidate, fingerprint, rid. */
function checkAttribute(line: SdpLine, mid: string): void {
  const attribute = sdpAttribute(line)
  if (attribute?.value == null) return
  const {name, value} = attribute
  if (name === 'candidate' && !CANDIDATE.test(value)) fail(`media section ${mid}: malformed a=candidate`)
  if (name === 'fingerprint' && !FINGERPRINT.test(value)) fail(`media section ${mid}: malformed a=fingerprint`)
  if (name === 'rid' && !/^[A-Za-z0-9_-]{1,16} (send|recv)( .*)?$/.test(value)) {
    fail(`media section ${mid}: malformed a=rid`)
  }
}

/** BUNDLE, ICE credentials, DTLS fingerprint and role, RTCP multiplexing: what Calls needs to carry media. */
function checkTransport(section: SdpDocumentSection, mid: string, level: SessionLevel, type: 'offer' | 'answer'): void {
  const {lines} = section
  const {bundle} = level
  if (bundle.length === 0) fail('no a=group:BUNDLE: Calls bundles every media section on one transport')
  if (!bundle.includes(mid)) fail(`media section ${mid} is not in the BUNDLE group`)
  const inherits = bundle[0] !== mid
  const ufrag = attributeValue(lines, 'ice-ufrag') ?? level.ufrag
  const pwd = attributeValue(lines, 'ice-pwd') ?? level.pwd
  if (!inherits || ufrag !== undefined || pwd !== undefined) {
    if (ufrag === undefined || pwd === undefined) fail(`media section ${mid}: no a=ice-ufrag / a=ice-pwd`)
    if (!ICE_CHARS.test(ufrag) || !ICE_CHARS.test(pwd)) fail(`media section ${mid}: malformed ICE credentials`)
  }
  const fingerprint = attributeValue(lines, 'fingerprint') !== undefined || level.fingerprint !== undefined
  if (!fingerprint && !inherits) fail(`media section ${mid}: no a=fingerprint`)
  const setup = attributeValue(lines, 'setup') ?? level.setup
  if (setup !== undefined) {
    const allowed = type === 'offer' ? ['actpass', 'active', 'passive'] : ['active', 'passive']
    if (!allowed.includes(setup)) fail(`media section ${mid}: a=setup:${setup} is not valid in an ${type}`)
  } else if (!inherits) {
    fail(`media section ${mid}: no a=setup`)
  }
  if (section.kind !== 'application' && !hasFlag(lines, 'rtcp-mux') && !inherits) {
    fail(`media section ${mid}: no a=rtcp-mux (Calls requires RTCP multiplexing)`)
  }
}

/** Rewrites `a=bundle-only` sections (port 0) to port 9 so werift does not treat them as rejected. */
export function acceptBundleOnly(sdp: string): string {
  const document = read(sdp)
  unbundleSections(document)
  return serializeSdp(document)
}

/**
 * werift's description in Calls' shape: `a=ice-lite` (for ICE-lite sessions) and the fingerprint moved to
 * session level, `a=extmap-allow-mixed` and `a=msid-semantic` present, trickle not advertised.
 */
export function toCallsSdp(sdp: string, iceLite: boolean): string {
  const document = read(sdp)
  const fingerprint = document.sections.flatMap((s) => s.lines).find((l) => isAttribute(l, 'fingerprint'))
  const moved = (l: SdpLine) => isAttribute(l, 'ice-lite', true) || isAttribute(l, 'fingerprint')
  const trickle = (l: SdpLine) => isAttribute(l, 'ice-options') && sdpAttribute(l)?.value === 'trickle'
  const head = document.session.filter((l) => !moved(l))
  const extra: SdpLine[] = []
  if (iceLite) extra.push(attributeLine('ice-lite'))
  if (fingerprint) extra.push(fingerprint)
  if (!hasFlag(head, 'extmap-allow-mixed')) extra.push(attributeLine('extmap-allow-mixed'))
  if (!head.some((l) => sdpAttribute(l)?.name.startsWith('msid-semantic'))) {
    extra.push(attributeLine('msid-semantic', 'WMS *'))
  }
  // Session attributes go after t= (RFC 8866 order: v o s … t … a=).
  const tIndex = head.findIndex((l) => l.type === 't')
  document.session =
    tIndex < 0 ? [...head, ...extra] : [...head.slice(0, tIndex + 1), ...extra, ...head.slice(tIndex + 1)]
  for (const section of document.sections) {
    section.lines = section.lines.filter((l) => !moved(l) && !trickle(l))
  }
  return serializeSdp(document)
}
