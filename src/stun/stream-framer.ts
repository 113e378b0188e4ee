/**
 * STUN and TURN over TCP or TLS (RFC 8489 §6.2.2, RFC 8656 §12.5): messages follow each other on the stream
 * with no extra framing. A STUN message is 20 bytes of header plus the length in bytes 2–3; a TURN
 * ChannelData frame (first two bits 01) is 4 bytes plus its length, padded to a multiple of 4.
 */

/** Larger frames than this are not STUN: a STUN message over TCP is limited to 64 KiB by its length field. */
const MAX_BUFFERED = 70 * 1024

export class StreamFramingError extends Error {
  override readonly name = 'StreamFramingError'
}

const MAGIC_COOKIE = 0x2112a442

function garbage(buffer: Buffer, offset: number): StreamFramingError {
  const head = buffer.subarray(offset, offset + 8).toString('hex')
  return new StreamFramingError(`the server sent bytes that are neither STUN nor TURN ChannelData (0x${head}…)`)
}

function frameLength(buffer: Buffer, offset: number, channelData: boolean): number | undefined {
  if (buffer.length - offset < 4) return undefined
  const type = buffer.readUInt16BE(offset)
  const length = buffer.readUInt16BE(offset + 2)
  if (type >> 14 === 0) {
    if (buffer.length - offset >= 8 && buffer.readUInt32BE(offset + 4) !== MAGIC_COOKIE) throw garbage(buffer, offset)
    return 20 + length
  }
  // Channel numbers are 0x4000–0x4FFF (RFC 8656 §12).
  if (channelData && type >= 0x4000 && type <= 0x4fff) return 4 + length + ((4 - (length % 4)) % 4)
  throw garbage(buffer, offset)
}

/** Splits a byte stream into whole STUN messages and ChannelData frames. */
export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0)
  readonly #channelData: boolean

  /** `channelData`: accept ChannelData frames (only once a channel is bound; r58's probes never bind one). */
  constructor(options: {channelData?: boolean} = {}) {
    this.#channelData = options.channelData === true
  }

  /** Adds received bytes; returns the frames completed by them. Throws StreamFramingError on garbage. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const frames: Buffer[] = []
    let offset = 0
    for (;;) {
      const length = frameLength(this.#buffer, offset, this.#channelData)
      if (length === undefined || this.#buffer.length - offset < length) break
      frames.push(this.#buffer.subarray(offset, offset + length))
      offset += length
    }
    this.#buffer = this.#buffer.subarray(offset)
    if (this.#buffer.length > MAX_BUFFERED) throw new StreamFramingError('a frame larger than 64 KiB: not STUN')
    return frames
  }

  /** Bytes received but not yet a whole frame. */
  get pending(): number {
    return this.#buffer.length
  }
}
