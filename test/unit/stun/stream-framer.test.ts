import {describe, expect, it} from 'vitest'
import {bindingRequest} from '../../../src/stun/message.js'
import {StreamFramer, StreamFramingError} from '../../../src/stun/stream-framer.js'

const stun = () => Buffer.from(bindingRequest().bytes)
const channelData = (payload: number) => {
  const frame = Buffer.alloc(4 + payload + ((4 - (payload % 4)) % 4))
  frame.writeUInt16BE(0x4000, 0)
  frame.writeUInt16BE(payload, 2)
  return frame
}

describe('StreamFramer', () => {
  it('returns whole messages however the stream is cut', () => {
    const a = stun()
    const b = stun()
    const stream = Buffer.concat([a, b])
    for (let cut = 1; cut < stream.length; cut++) {
      const framer = new StreamFramer()
      const frames = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))]
      expect(frames.map((f) => f.toString('hex'))).toEqual([a.toString('hex'), b.toString('hex')])
      expect(framer.pending).toBe(0)
    }
  })

  it.each([
    [1, 8],
    [4, 8],
    [5, 12],
    [0, 4],
  ])('ChannelData with %i payload bytes takes %i bytes (padded to 4)', (payload, size) => {
    const framer = new StreamFramer({channelData: true})
    const frames = framer.push(Buffer.concat([channelData(payload), stun()]))
    expect(frames[0]?.length).toBe(size)
    expect(frames).toHaveLength(2)
  })

  it('keeps a partial header until the rest arrives', () => {
    const framer = new StreamFramer()
    expect(framer.push(stun().subarray(0, 3))).toEqual([])
    expect(framer.pending).toBe(3)
  })

  it.each([
    ['a TLS ServerHello', Buffer.concat([Buffer.from('160303007a020000760303', 'hex'), Buffer.alloc(32)])],
    ['an HTTP answer', Buffer.from('HTTP/1.1 400 Bad Request\r\n')],
    ['ChannelData when no channel is bound', channelData(4)],
  ])('fails on %s', (_name, bytes) => {
    expect(() => new StreamFramer().push(bytes)).toThrow(StreamFramingError)
  })
})
