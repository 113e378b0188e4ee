import {describe, expect, it} from 'vitest'
import {closest} from '../../../src/util/closest.js'
import {formatDuration, parseDuration} from '../../../src/util/duration.js'
import {formatHostPort, parseHostPort} from '../../../src/util/host-port.js'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['3s', 3000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['12h', 43_200_000],
    ['2d', 172_800_000],
    ['250', 250_000],
    ['3', 3000],
    ['0.5', 500],
    [' 3s ', 3000],
    ['3 s', undefined],
    ['-1s', undefined],
    ['3w', undefined],
    ['', undefined],
  ])('%j → %j', (text, want) => expect(parseDuration(text)).toBe(want))

  it.each([
    [1500, '1.5s'],
    [43_200_000, '12h'],
    [250, '250ms'],
    [60_000, '1m'],
  ])('formats %j as %j', (ms, want) => expect(formatDuration(ms)).toBe(want))
})

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:8890', {host: '127.0.0.1', port: 8890}],
    [':8189', {host: '', port: 8189}],
    ['[::1]:3478', {host: '::1', port: 3478}],
    ['box.local:80', {host: 'box.local', port: 80}],
    ['127.0.0.1:0', undefined],
    ['127.0.0.1:70000', undefined],
    ['127.0.0.1', undefined],
    ['::1:80', undefined],
  ])('%j → %j', (text, want) => expect(parseHostPort(text)).toEqual(want))

  it('accepts port 0 (any free port) only for listen addresses', () => {
    expect(parseHostPort('127.0.0.1:0', {allowAnyPort: true})).toEqual({host: '127.0.0.1', port: 0})
    expect(parseHostPort('127.0.0.1:00', {allowAnyPort: true})).toBeUndefined()
  })

  it('brackets IPv6 when formatting', () => {
    expect(formatHostPort({host: '::1', port: 1})).toBe('[::1]:1')
    expect(formatHostPort({host: 'a', port: 1})).toBe('a:1')
  })
})

describe('closest', () => {
  it.each([
    ['usrname', ['username', 'credential'], 'username'],
    ['relay-lisen', ['relay-listen', 'relay-url'], 'relay-listen'],
    ['xyz', ['username'], undefined],
  ])('%j among %j → %j', (word, candidates, want) => expect(closest(word, candidates)).toBe(want))
})
