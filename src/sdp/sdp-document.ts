/**
 * The one SDP model of r58 (RFC 8866): the text as lines, grouped into the session part and the media sections
 * (each opened by its m-line), every line kept as written so that munging rewrites only what it means to and
 * serialising gives back the same lines in the same order, CRLF-terminated. Everything that reads or rewrites
 * SDP lines (the WHIP probe, the relay, the Calls emulator, the MediaMTX stand-in, trickle fragments) goes
 * through here; what each of them requires of an SDP stays with them.
 *
 * werift's `SessionDescription` parses SDP too, but it keeps only the attributes it knows and writes them back
 * in its own order, so it cannot munge; r58 uses it where a semantic reading is all that is needed.
 */

export interface SdpLine {
  /** The line's type letter (`v`, `o`, `m`, `a`, …); null when the line is not `<lower-case letter>=<value>`. */
  type: string | null
  /** What follows `<type>=` (the whole line when `type` is null). */
  value: string
  /** The line as written (without its line ending). */
  text: string
  /** 1-based position in the text it was read from; 0 for a line made here. */
  lineNumber: number
}

export interface SdpAttribute {
  /** `candidate` for `a=candidate:…`, `rtcp-mux` for `a=rtcp-mux`. */
  name: string
  /** What follows the first colon; null for a flag attribute (no colon). */
  value: string | null
}

export interface SdpSection {
  /** The m-line that opens the section. */
  mLine: SdpLine
  /** `audio`, `video`, `application`, … (the m-line's first field). */
  kind: string
  /** The m-line's port (before any `/<count>`); NaN when that field is not a number. */
  port: number
  /** `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`, … */
  proto: string
  /** Payload types (RTP) or formats (`webrtc-datachannel`), as written. */
  formats: string[]
  /** The section's lines after its m-line, in order. */
  lines: SdpLine[]
}

export interface SdpDocument {
  /** The lines before the first m-line. */
  session: SdpLine[]
  sections: SdpSection[]
}

export interface SdpReadOptions {
  /**
   * Trim trailing white space from every line and skip empty lines (the Calls emulator reads SDP so). By
   * default lines are kept as written and only trailing empty lines are dropped.
   */
  trim?: boolean
  /**
   * Also end a line at a bare CR (and U+2028/U+2029), as JavaScript's multi-line regular expressions do: the
   * relay has always counted a guest offer's m-lines so, whatever its line ends.
   */
  anyLineEnd?: boolean
}

const TYPED = /^([a-z])=/

/** Splits SDP text into lines, accepting both CRLF (as RFC 8866 requires) and bare LF. */
export function sdpLines(text: string, options: SdpReadOptions = {}): string[] {
  const lines = text.split(options.anyLineEnd ? /\r\n|[\n\r\u2028\u2029]/ : /\r?\n/)
  if (options.trim) return lines.map((line) => line.trimEnd()).filter((line) => line.length > 0)
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** One line, read. */
export function sdpLine(text: string, lineNumber = 0): SdpLine {
  const type = TYPED.exec(text)?.[1] ?? null
  return {type, value: type === null ? text : text.slice(2), text, lineNumber}
}

/** The attribute a line carries; null when it is not an `a=` line. */
export function sdpAttribute(line: SdpLine): SdpAttribute | null {
  if (line.type !== 'a') return null
  const colon = line.value.indexOf(':')
  return colon < 0
    ? {name: line.value, value: null}
    : {name: line.value.slice(0, colon), value: line.value.slice(colon + 1)}
}

/** An `a=` line: `a=<name>:<value>`, or the flag `a=<name>` when value is null. */
export function attributeLine(name: string, value: string | null = null): SdpLine {
  return sdpLine(value === null ? `a=${name}` : `a=${name}:${value}`)
}

function section(mLine: SdpLine, lines: SdpLine[] = []): SdpSection {
  const fields = mLine.value.split(' ')
  const portField = fields[1] ?? ''
  return {
    mLine,
    kind: fields[0] ?? '',
    port: /^\d+(\/\d+)?$/.test(portField) ? Number(portField.split('/')[0]) : Number.NaN,
    proto: fields[2] ?? '',
    formats: fields.slice(3),
    lines,
  }
}

/** A new media section: `m=<kind> <port> <proto> <formats…>` followed by `lines`. */
export function mediaSection(
  kind: string,
  port: number,
  proto: string,
  formats: readonly string[],
  lines: SdpLine[] = [],
): SdpSection {
  return section(sdpLine(`m=${[kind, port, proto, ...formats].join(' ')}`), lines)
}

/** Reads SDP text (or a trickle fragment, which has no session lines) into its session part and sections. */
export function parseSdpDocument(text: string, options: SdpReadOptions = {}): SdpDocument {
  const document: SdpDocument = {session: [], sections: []}
  sdpLines(text, options).forEach((raw, i) => {
    const line = sdpLine(raw, i + 1)
    const current = document.sections[document.sections.length - 1]
    if (line.type === 'm') document.sections.push(section(line))
    else if (current) current.lines.push(line)
    else document.session.push(line)
  })
  return document
}

/** Every line of the document in order, each with the section it belongs to (undefined for session lines). */
export function* documentLines(document: SdpDocument): Generator<{line: SdpLine; section: SdpSection | undefined}> {
  for (const line of document.session) yield {line, section: undefined}
  for (const s of document.sections) {
    yield {line: s.mLine, section: s}
    for (const line of s.lines) yield {line, section: s}
  }
}

/** The document as SDP text: its lines in order, each ended by CRLF (RFC 8866 §5). */
export function serializeSdp(document: SdpDocument): string {
  return `${[...documentLines(document)].map(({line}) => line.text).join('\r\n')}\r\n`
}

/** The values of every `a=<name>:<value>` among `lines`, in order. */
export function attributeValues(lines: readonly SdpLine[], name: string): string[] {
  const values: string[] = []
  for (const line of lines) {
    const attribute = sdpAttribute(line)
    if (attribute?.name === name && attribute.value !== null) values.push(attribute.value)
  }
  return values
}

/** The value of the first `a=<name>:<value>` among `lines`. */
export function attributeValue(lines: readonly SdpLine[], name: string): string | undefined {
  return attributeValues(lines, name)[0]
}

/** The values of every `a=<name>:<value>` of the document, session part and sections, in order. */
export function documentAttributeValues(document: SdpDocument, name: string): string[] {
  return attributeValues(
    [...documentLines(document)].map(({line}) => line),
    name,
  )
}

/** Whether `lines` hold the flag `a=<name>` (no value). */
export function hasFlag(lines: readonly SdpLine[], name: string): boolean {
  return lines.some((line) => {
    const attribute = sdpAttribute(line)
    return attribute?.name === name && attribute.value === null
  })
}

/** Sets the m-line's port, keeping any `/<count>` and every other field as written. */
export function setSectionPort(s: SdpSection, port: number): void {
  const fields = s.mLine.value.split(' ')
  fields[1] = (fields[1] ?? '').replace(/^\d+/, String(port))
  Object.assign(s, section(sdpLine(`m=${fields.join(' ')}`, s.mLine.lineNumber), s.lines))
}

/** Removes, from the session part and every section, the lines `drop` selects; returns how many went. */
export function removeLines(document: SdpDocument, drop: (line: SdpLine) => boolean): number {
  let removed = 0
  const keep = (lines: SdpLine[]) => {
    const kept = lines.filter((line) => !drop(line))
    removed += lines.length - kept.length
    return kept
  }
  document.session = keep(document.session)
  for (const s of document.sections) s.lines = keep(s.lines)
  return removed
}

/** Whether a line is the attribute `name` (with a value, or as a flag when `flag` is set). */
export function isAttribute(line: SdpLine, name: string, flag = false): boolean {
  const attribute = sdpAttribute(line)
  return attribute?.name === name && (attribute.value === null) === flag
}
