/** Which simulcast layer a subscription forwards, per its preference and the layers the publisher sends. */
import {describe, expect, it} from 'vitest'
import type {SimulcastPreference} from '../../../../src/calls/calls-types.js'
import {startsKeyframe} from '../../../../src/sim/calls-sfu/codecs.js'
import {simulcastOf} from '../../../../src/sim/calls-sfu/handlers.js'
import {decodeBody} from '../../../../src/sim/calls-sfu/request-validate.js'
import {emptyCounters, type Publication, Subscription} from '../../../../src/sim/calls-sfu/sfu-forward.js'

function choose(preference: SimulcastPreference | undefined, sending: string[]): string | undefined {
  const publication = {subscribers: new Set(), sendingRids: () => sending} as unknown as Publication
  const subscription = new Subscription('s', '0', {} as never, publication, emptyCounters(), preference)
  return subscription.selectRid(publication)
}

describe('simulcast layer selection', () => {
  it.each([
    {
      what: 'the preferred layer while it is sending',
      preference: {preferredRid: 'h'},
      sending: ['f', 'h', 'q'],
      rid: 'h',
    },
    {
      what: 'nothing for a missing preferred layer by default (none)',
      preference: {preferredRid: 'h'},
      sending: ['f', 'q'],
      rid: undefined,
    },
    {
      what: 'the next layer a–z after a missing preferred one (asciibetical)',
      preference: {preferredRid: 'h', ridNotAvailable: 'asciibetical'},
      sending: ['f', 'q'],
      rid: 'q',
    },
    {
      what: 'the last layer before it when none follows (asciibetical)',
      preference: {preferredRid: 'q', ridNotAvailable: 'asciibetical'},
      sending: ['f', 'h'],
      rid: 'h',
    },
    {what: 'the first sending layer a–z without a preference', preference: undefined, sending: ['h', 'q'], rid: 'h'},
    {what: 'nothing while no layer is sending', preference: undefined, sending: [], rid: undefined},
  ] as const)('$what', ({preference, sending, rid}) => {
    expect(choose(preference as SimulcastPreference | undefined, [...sending])).toBe(rid)
  })
})

describe('simulcast preference names', () => {
  it.each([
    {given: {preferredRid: 'h', ridNotAvailable: 'none'}, read: {preferredRid: 'h', ridNotAvailable: 'none'}},
    {
      given: {preferredRid: 'h', ridUnavailableStrategy: 'nextPriority'},
      read: {preferredRid: 'h', ridNotAvailable: 'asciibetical'},
    },
    {given: {preferredRid: 'h', ridUnavailableStrategy: 'none'}, read: {preferredRid: 'h', ridNotAvailable: 'none'}},
    {
      given: {ridNotAvailable: 'none', ridUnavailableStrategy: 'nextPriority'},
      read: {ridNotAvailable: 'none'},
    },
  ])('reads $given as $read (the draft name ridUnavailableStrategy maps to ridNotAvailable)', ({given, read}) => {
    expect(decodeBody('TracksRequest', JSON.stringify({tracks: [{simulcast: given}]})).tracks?.[0]).toBeDefined()
    expect(simulcastOf({simulcast: given as SimulcastPreference})).toEqual({simulcast: read})
  })
})

describe('keyframe starts (where a layer switch may happen)', () => {
  it.each([
    {what: 'VP8 keyframe, short descriptor', mime: 'video/VP8', payload: [0x10, 0x00], keyframe: true},
    {what: 'VP8 delta frame, short descriptor', mime: 'video/VP8', payload: [0x10, 0x01], keyframe: false},
    {
      what: 'VP8 keyframe, 15-bit PictureID (browsers)',
      mime: 'video/VP8',
      payload: [0x90, 0x80, 0x81, 0x23, 0x10],
      keyframe: true,
    },
    {
      what: 'VP8 delta, PictureID + TL0PICIDX + TID',
      mime: 'video/VP8',
      payload: [0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0x31],
      keyframe: false,
    },
    {what: 'VP8 continuation packet', mime: 'video/VP8', payload: [0x80, 0x80, 0x81, 0x23, 0x10], keyframe: false},
    {what: 'H.264 IDR', mime: 'video/H264', payload: [0x65, 0x88], keyframe: true},
    {what: 'H.264 STAP-A with SPS first', mime: 'video/H264', payload: [0x78, 0x00, 0x0f, 0x67], keyframe: true},
    {what: 'H.264 FU-A start of an IDR', mime: 'video/H264', payload: [0x7c, 0x85], keyframe: true},
    {what: 'H.264 non-IDR slice', mime: 'video/H264', payload: [0x41, 0x9a], keyframe: false},
    {what: 'VP9 (cannot tell)', mime: 'video/VP9', payload: [0x00], keyframe: undefined},
  ])('$what', ({mime, payload, keyframe}) => {
    expect(startsKeyframe(mime, Uint8Array.from(payload))).toBe(keyframe)
  })
})
