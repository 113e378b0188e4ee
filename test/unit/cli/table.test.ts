import {describe, expect, it} from 'vitest'
import {table, visibleLength} from '../../../src/cli/render/table.js'
import {createStyle} from '../../../src/cli/style.js'

const evidence = `MediaMTX advertises only host candidates: ${Array.from({length: 8}, (_, i) => `192.168.1.${i}:8189/udp (lan)`).join(', ')}`
const rows = [
  ['✓', 'lan.whip', '3039 ms', 'published to http://127.0.0.1:8889'],
  ['✗', 'turn.configured', '1 ms', evidence],
]

describe('table: evidence cut to the terminal only', () => {
  it('keeps every character without a width (pipes, logs)', () => {
    const text = table(rows, '  ')
    expect(text).toContain(evidence)
    expect(text).not.toContain('…')
  })

  it.each([80, 120])('fits a %i-column terminal, cutting the last column', (width) => {
    const lines = table(rows, '  ', width).split('\n')
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(width)
    expect(lines[1]).toMatch(/…$/)
    expect(lines[0]).toContain('published to http://127.0.0.1:8889')
  })

  it('a style has a width only for a terminal', () => {
    expect(createStyle(0).columns).toBeUndefined()
    expect(createStyle(0, 0).columns).toBeUndefined()
    expect(createStyle(0, 100).columns).toBe(100)
  })
})

describe('table: too wide for the terminal, each row wraps', () => {
  // probe turn's table: seven columns, ~170 characters a row.
  const wide = [
    ['', 'URL', 'TRANSPORT', 'OUTCOME', 'RELAYED', 'RTT', 'ECHO (rtt min/med/max)', 'SERVER'],
    [
      '✓',
      'turn:127.0.0.1:23876?transport=udp',
      'udp',
      'ok',
      '127.0.0.1:53979',
      '5.2 ms',
      '5/5 1.8/2.3/21.4 ms',
      "Coturn-4.6.1 'Gorst'",
    ],
    ['✗', 'turn:127.0.0.1:3479?transport=tcp', 'tcp', 'unreachable (tcp-connect)', '-', '-', '-', ''],
  ]

  it('fits 80 columns and keeps every cell', () => {
    const text = table(wide, '  ', 80)
    for (const line of text.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(80)
    for (const cell of wide.flat().filter(Boolean)) expect(text).toContain(cell)
  })

  it('is one aligned line per row in pipes', () => {
    expect(table(wide, '  ').split('\n')).toHaveLength(3)
  })
})
