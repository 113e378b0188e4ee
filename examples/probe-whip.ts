/**
 * Start the MediaMTX stand-in with a box that advertises only its LAN address, probe it the way
 * `r58 probe whip` does, and print the verdict. Everything stays on loopback.
 *
 *   node --import tsx examples/probe-whip.ts
 */
import {probeWhip} from '../src/index.js'
import {startMediamtxStandin} from '../src/sim/index.js'

const standin = await startMediamtxStandin({
  configText: 'webrtcLocalUDPAddress: :8189\nwebrtcAdditionalHosts: []\npaths:\n  all_others:\n',
  whipPort: 0,
  apiPort: 0,
  // What MediaMTX would see on a studio box; the LAN address is advertised, never used.
  interfaces: [
    {name: 'lo', address: '127.0.0.1'},
    {name: 'eth0', address: '192.168.1.58'},
  ],
})
try {
  const report = await probeWhip({
    url: standin.endpoint('r58-probe'),
    via: ['this-host'], // connect over loopback only
    durationMs: 1000,
    mediamtxApi: {baseUrl: standin.apiUrl as string},
  })
  for (const c of report.candidates) console.log(`${c.type} ${c.label} ${c.category}/${c.scope}`)
  console.log(`verdict: ${report.verdict?.scope}: ${report.verdict?.text}`)
  if (report.verdict?.fix) console.log(`fix: ${report.verdict.fix}`)
  for (const check of report.checks) console.log(`${check.status.padEnd(4)} ${check.id}: ${check.evidence}`)
  process.exitCode = report.exitCode
} finally {
  await standin.close()
}
