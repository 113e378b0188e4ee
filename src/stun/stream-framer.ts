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

function frameLength(buffer: Buffer, offset: number): number | undefined {
  const first = buffer[offset] ?? 0
  if (buffer.length - offset < 4) return undefined
  const length = buffer.readUInt16BE(offset + 2)
  if (first >> 6 === 0) return 20 + length
  if (first >> 6 === 1) return 4 + length + ((4 - (length % 4)) % 4)
  throw new StreamFramingError(
    `the server sent bytes that are neither STUN nor TURN ChannelData (first byte 0x${first.toString(16)})`,
  )
}

/** Splits a byte stream into whole STUN messages and ChannelData frames. */
export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0)

  /** Adds received bytes; returns the frames completed by them. Throws StreamFramingError on garbage. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const frames: Buffer[] = []
    let offset = 0
    for (;;) {
      const length = frameLength(this.#buffer, offset)
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
