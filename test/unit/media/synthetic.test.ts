import {describe, expect, it} from 'vitest'
import type {RtpPacket} from 'werift'
import {
  createSyntheticSource,
  isKeyframePayload,
  readSyntheticStamp,
  type SyntheticCodec,
} from '../../../src/media/synthetic.js'

async function capture(codec: SyntheticCodec, bitrateKbps: number, frames: number) {
  const source = createSyntheticSource({codec, bitrateKbps, keyframeIntervalMs: 0})
  const packets: RtpPacket[] = []
  source.track.onReceiveRtp.subscribe((packet) => {
    packets.push(packet)
  })
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (source.stats.frames >= frames) {
        clearInterval(poll)
        resolve()
      }
    }, 5)
  })
  source.stop()
  return {source, packets}
}

describe('synthetic media', () => {
  it.each([
    {codec: 'vp8', bitrateKbps: 2500},
    {codec: 'h264', bitrateKbps: 2500},
    {codec: 'h264', bitrateKbps: 100},
  ] as const)(
    '$codec at $bitrateKbps kbit/s: first frame is a keyframe, later ones are not, payloads fit',
    async ({codec, bitrateKbps}) => {
      const {packets, source} = await capture(codec, bitrateKbps, 3)
      expect(isKeyframePayload(codec, packets[0]?.payload ?? Buffer.alloc(0))).toBe(true)
      const frameStarts = packets.filter((_packet, i) => i === 0 || packets[i - 1]?.header.marker)
      expect(frameStarts.slice(1).some((p) => isKeyframePayload(codec, p.payload))).toBe(false)
      for (const packet of packets) expect(packet.payload.length).toBeLessThanOrEqual(1100)
      expect(source.stats.keyframes).toBe(1)
      // every frame can be matched downstream by its stamp
      const stamped = packets.map((p) => readSyntheticStamp(p.payload)).filter((s) => s !== undefined)
      expect(stamped.map((s) => s.frame)).toEqual([...Array(source.stats.frames).keys()])
    },
  )

  it('answers a keyframe request with a keyframe on the next frame', async () => {
    const source = createSyntheticSource({codec: 'vp8', keyframeIntervalMs: 0})
    const keys: number[] = []
    source.track.onReceiveRtp.subscribe((packet) => {
      if (isKeyframePayload('vp8', packet.payload)) keys.push(readSyntheticStamp(packet.payload)?.frame ?? -1)
    })
    await new Promise((resolve) => setTimeout(resolve, 120))
    source.requestKeyframe()
    const requestedAt = source.stats.frames
    await new Promise((resolve) => setTimeout(resolve, 120))
    source.stop()
    expect(keys[0]).toBe(0)
    expect(keys[1]).toBe(requestedAt)
    expect(source.stats.keyframeRequests).toBe(1)
  })

  it('sends Opus frames of 20 ms (timestamp step 960)', async () => {
    const {packets} = await capture('opus', 32, 3)
    expect((packets[1]?.header.timestamp ?? 0) - (packets[0]?.header.timestamp ?? 0)).toBe(960)
  })
})
