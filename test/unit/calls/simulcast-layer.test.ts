/** Which simulcast layer a subscription forwards, per its preference and the layers the publisher sends. */
import {describe, expect, it} from 'vitest'
import {emptyCounters, type Publication, Subscription} from '../../../src/calls/emulator/forward.js'
import {simulcastOf} from '../../../src/calls/emulator/handlers.js'
import {decodeBody} from '../../../src/calls/emulator/validate.js'
import type {SimulcastPreference} from '../../../src/calls/types.js'

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
