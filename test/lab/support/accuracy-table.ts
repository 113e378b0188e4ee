/**
 * Renders the README's "Diagnosis accuracy" table from the last NAT lab run (test/lab/accuracy/*.json, written
 * by each scenario). `npm run lab:table` prints it; with --write it replaces the table between the markers in
 * README.md.
 */
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {ACCURACY_DIR, type GuestSeen, type ScenarioRow} from './scenario.js'

const README = resolve(import.meta.dirname, '../../../README.md')
const START = '<!-- diagnosis-accuracy:start -->'
const END = '<!-- diagnosis-accuracy:end -->'

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
/** A host end the stand-in saw only after the router's DNAT (`*`): which public address was used is not visible. */
const endText = (end: string) => end.replace(' */', ' (an address behind the router)/')

function guest(name: string, g: GuestSeen | undefined): string | null {
  if (!g) return null
  const what = g.mediaFlowed
    ? `media to the box${g.boxEnd ? ` via ${endText(g.boxEnd)}` : ''}${g.guestEnd ? ` (guest end ${g.guestEnd})` : ''}`
    : `no media (${g.detail})`
  return `${name}: ${what}${g.excluded ? ` — not compared: ${g.excluded}` : ''}`
}

export function accuracyTable(rows: readonly ScenarioRow[]): string {
  const lines = [
    '| Scenario | What third-party guests experienced | r58’s verdict | Agree? |',
    '| --- | --- | --- | --- |',
  ]
  for (const row of rows) {
    const guests = [guest('Chromium', row.guests.chromium), guest('whip-client', row.guests.whipClient)]
      .filter((g): g is string => g !== null)
      .join('; ')
    const {probe, diagnose} = row.r58
    const verdict = `probe whip: ${
      probe.ok ? `media via ${probe.boxEnd}${probe.guestEnd ? ` (guest end ${probe.guestEnd})` : ''}` : 'no media'
    }; diagnose: ${diagnose.option} ${diagnose.status} (exit ${diagnose.exitCode})`
    lines.push(`| ${cell(row.title)} | ${cell(guests)} | ${cell(verdict)} | ${row.agree ? 'yes' : '**no**'} |`)
  }
  return lines.join('\n')
}

export function readRows(dir = ACCURACY_DIR): ScenarioRow[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ScenarioRow)
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const table = accuracyTable(readRows())
  if (!process.argv.includes('--write')) process.stdout.write(`${table}\n`)
  else {
    const readme = readFileSync(README, 'utf8')
    const start = readme.indexOf(START)
    const end = readme.indexOf(END)
    if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} markers`)
    writeFileSync(README, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`)
  }
}
