import {describe, expect, it} from 'vitest'
import {RTCRtpCodecParameters, useH264, useOPUS, useVP8} from 'werift'
import {offerCodecs, offerExtensions, sameCodec} from '../../../../src/sim/calls-sfu/codecs.js'

const codec = (mimeType: string, payloadType: number, parameters?: string) =>
  new RTCRtpCodecParameters({mimeType, clockRate: 90000, payloadType, ...(parameters && {parameters})})

describe("emulator offers renumber the publisher's codecs", () => {
  it.each([
    {published: [useVP8({payloadType: 97})], want: [100]},
    {published: [useH264({payloadType: 98})], want: [125]},
    {published: [useOPUS({payloadType: 96})], want: [111]},
    {
      published: [useVP8({payloadType: 96}), codec('video/rtx', 97, 'apt=96'), useH264({payloadType: 102})],
      want: [100, 125],
    },
    {
      published: [codec('video/H264', 102, 'packetization-mode=1'), codec('video/H264', 127, 'packetization-mode=0')],
      want: [125, 96],
    },
  ])('$published.length codec(s) → payload types $want', ({published, want}) => {
    const offered = offerCodecs(published)
    expect(offered.map((c) => c.payloadType)).toEqual(want)
    expect(new Set(offered.map((c) => c.payloadType)).size).toBe(offered.length)
    offered.forEach((c, i) => {
      expect(c.mimeType.toLowerCase()).toBe(
        published.filter((p) => !/rtx/i.test(p.mimeType))[i]?.mimeType.toLowerCase(),
      )
    })
  })

  it.each([
    {a: codec('video/VP8', 96), b: codec('video/vp8', 100), same: true},
    {a: codec('video/VP8', 96), b: codec('video/H264', 96), same: false},
    {
      a: codec('video/H264', 1, 'packetization-mode=1'),
      b: codec('video/h264', 2, 'level-asymmetry-allowed=1;packetization-mode=1'),
      same: true,
    },
    {a: codec('video/H264', 1, 'packetization-mode=1'), b: codec('video/H264', 2), same: false},
  ])('sameCodec($a.mimeType, $b.mimeType) → $same', ({a, b, same}) => {
    expect(sameCodec(a, b)).toBe(same)
  })

  it('uses one id per extension URI for audio and video', () => {
    const audio = new Map(offerExtensions('audio').map((e) => [e.uri, e.id]))
    for (const e of offerExtensions('video')) if (audio.has(e.uri)) expect(audio.get(e.uri)).toBe(e.id)
  })
})
