import {expect, it} from 'vitest'
import {summarizeRtts} from '../../../src/stun/rtt.js'

it.each([
  [[], undefined],
  [[3], {min: 3, median: 3, max: 3}],
  [[5, 1, 3], {min: 1, median: 3, max: 5}],
  [[4, 1, 2, 3], {min: 1, median: 2.5, max: 4}],
  [[0.123, 0.456], {min: 0.1, median: 0.3, max: 0.5}],
])('summarizeRtts(%j) = %j', (samples, want) => {
  expect(summarizeRtts(samples)).toEqual(want)
})
