/**
 * One lab scenario: what the third-party guests experienced (ground truth), what r58 said (`probe whip` from
 * the guest, `diagnose --json` on the box), and whether they agree, including which end of the box carried
 * the media. Each scenario writes its row to test/lab/accuracy/<id>.json, from which
 * test/lab/support/accuracy-table.ts renders the README's "Diagnosis accuracy" table.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import type {ChromiumGuestResult} from './chromium-guest.js'
import type {R58Run, StandinOutcome} from './nat-lab.js'

export const ACCURACY_DIR = resolve(import.meta.dirname, '../accuracy')

/** The box's end of the pair that carried media: `relay 198.18.0.1/udp`, `host 100.64.0.58/udp`. */
export type BoxEnd = string

export interface GuestSeen {
  mediaFlowed: boolean
  boxEnd: BoxEnd | null
  /** The guest's own end (`srflx`, `relay over tcp`, …), when it reports one. */
  guestEnd: string | null
  detail: string
  /** Why this guest's outcome is recorded but not compared (a limit of the guest, stated in the table). */
  excluded?: string
}

export interface Verdict {
  /** `probe whip` from the guest namespace: media flowed, through which box end. */
  probe: {ok: boolean; boxEnd: BoxEnd | null; guestEnd: string | null; detail: string}
  /** `diagnose --json` on the box: the status of the option this scenario is about, and the exit code. */
  diagnose: {option: string; status: string; exitCode: number; evidence: string}
}

export interface ScenarioRow {
  id: string
  title: string
  guests: {chromium?: GuestSeen; whipClient?: GuestSeen}
  r58: Verdict
  agree: boolean
}

const end = (type: string, address: string, transport: string) => `${type} ${address}/${transport}`

export function fromChromium(result: ChromiumGuestResult): GuestSeen {
  const pair = result.pair
  return {
    mediaFlowed: result.connected && result.bytesSent > 0,
    boxEnd: result.connected && pair ? end(pair.remote.type, pair.remote.address, pair.remote.protocol) : null,
    guestEnd:
      result.connected && pair
        ? `${pair.local.type}${pair.local.relayProtocol ? ` over ${pair.local.relayProtocol}` : ''}`
        : null,
    detail: result.connected
      ? `connected, ${result.bytesSent} bytes sent`
      : `not connected (${result.error ?? `state ${result.state}`})`,
  }
}

/**
 * whip-client reports nothing itself: the stand-in's session says whether media arrived, and its pair. A host
 * end the stand-in labels 0.0.0.0 was reached through the router (which advertised address the guest used is
 * not visible on the box): `*`, any address.
 */
export function fromStandin(outcome: StandinOutcome): GuestSeen {
  const [type = '', transport = '', address = ''] = outcome.localCandidate.split('/')
  return {
    mediaFlowed: outcome.mediaArrived,
    boxEnd: outcome.mediaArrived && type ? end(type, address === '0.0.0.0' ? '*' : address, transport) : null,
    guestEnd: outcome.mediaArrived ? (outcome.remoteCandidate.split('/')[0] ?? null) : null,
    detail: outcome.mediaArrived ? 'media arrived at the box' : `session ended: ${outcome.reason}`,
  }
}

interface ProbeResult {
  ok?: boolean
  selectedPair?: {
    local: {type: string; relayProtocol?: string}
    remote: {type: string; address: string; transport: string}
  } | null
  checks?: {id: string; status: string; evidence: string}[]
}

export function probeVerdict(run: R58Run): Verdict['probe'] {
  const result = (run.envelope.result ?? {}) as ProbeResult
  const pair = result.selectedPair
  const failed = result.checks?.find((c) => c.status === 'fail')
  return {
    ok: result.ok === true,
    boxEnd: result.ok && pair ? end(pair.remote.type, pair.remote.address, pair.remote.transport) : null,
    guestEnd:
      result.ok && pair
        ? `${pair.local.type}${pair.local.relayProtocol ? ` over ${pair.local.relayProtocol}` : ''}`
        : null,
    detail: result.ok
      ? 'media flowed'
      : failed
        ? `${failed.id}: ${failed.evidence}`
        : (run.envelope.error?.message ?? `exit ${run.exitCode}`),
  }
}

interface DiagnoseResult {
  options?: {id: string; status: string; evidence: string}[]
}

export function diagnoseVerdict(run: R58Run, option: string): Verdict['diagnose'] {
  const result = (run.envelope.result ?? {}) as DiagnoseResult
  const found = result.options?.find((o) => o.id === option)
  return {
    option,
    status: found?.status ?? 'absent',
    exitCode: run.envelope.exitCode,
    evidence: found?.evidence ?? run.envelope.error?.message ?? '',
  }
}

/** `relay 198.18.0.1/udp` equals itself; a host end with address `*` equals any host end, same transport. */
function sameEnd(a: BoxEnd, b: BoxEnd | null): boolean {
  if (b === null) return false
  const pattern = /^(\S+) (\S+)\/(\S+)$/
  const [, ta, aa, pa] = pattern.exec(a) ?? []
  const [, tb, ab, pb] = pattern.exec(b) ?? []
  return ta === tb && pa === pb && (aa === ab || aa === '*' || ab === '*')
}

const works = (status: string) => status === 'pass' || status === 'warn'

/**
 * r58 agrees with the guests when: every guest had the same outcome; the probe had it too, through the same box
 * end; and diagnose's option for this scenario works exactly when the guests' media flowed.
 */
export function agreement(guests: ScenarioRow['guests'], r58: Verdict): {agree: boolean; why: string[]} {
  const seen = Object.entries(guests).filter(
    (e): e is [string, GuestSeen] => e[1] !== undefined && e[1].excluded === undefined,
  )
  const why: string[] = []
  const flowed = seen.every(([, g]) => g.mediaFlowed)
  if (seen.some(([, g]) => g.mediaFlowed !== flowed)) why.push('the guests disagree among themselves')
  if (r58.probe.ok !== flowed) why.push(`probe whip says ${r58.probe.ok ? 'media flows' : 'no media'}`)
  if (flowed) {
    // A guest whose pair the lab cannot observe (boxEnd null: whip-client behind the Calls relay) is not compared.
    for (const [name, g] of seen) {
      if (g.boxEnd !== null && !sameEnd(g.boxEnd, r58.probe.boxEnd))
        why.push(`${name} reached the box at ${g.boxEnd}, the probe at ${r58.probe.boxEnd}`)
    }
  }
  if (works(r58.diagnose.status) !== flowed) {
    why.push(`diagnose option ${r58.diagnose.option} is ${r58.diagnose.status}`)
  }
  return {agree: why.length === 0, why}
}

export function recordScenario(row: ScenarioRow): void {
  mkdirSync(ACCURACY_DIR, {recursive: true})
  writeFileSync(join(ACCURACY_DIR, `${row.id}.json`), `${JSON.stringify(row, null, 2)}\n`)
}
