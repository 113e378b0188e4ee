/**
 * Which STUN/TURN paths work, from a script: `node --import tsx examples/probe-turn.ts`.
 *
 * With no arguments it starts a throwaway coturn on loopback (needs `apt-get install coturn`) and probes its
 * UDP, TCP and TLS listeners. With arguments it probes your servers instead:
 *
 *   R58_TURN_USERNAME=alice R58_TURN_CREDENTIAL=… node --import tsx examples/probe-turn.ts \
 *     "turn:turn.example.net:3478?transport=udp" turns:turn.example.net:5349
 */
import {gatherCandidates, probeStun, probeTurn} from '../src/index.js'
import {type CoturnLab, startCoturn} from '../src/sim/index.js'

const given = process.argv.slice(2)
const lab: CoturnLab | undefined = given.length === 0 ? await startCoturn() : undefined
try {
  const urls = lab ? Object.values(lab.turnUrls) : given
  const username = lab?.username ?? process.env['R58_TURN_USERNAME'] ?? ''
  const credential = lab?.credential ?? process.env['R58_TURN_CREDENTIAL'] ?? ''
  const tls = lab ? {ca: lab.certificate.cert} : {}

  // STUN: the mapped address, and whether the NAT maps the same way for every destination.
  const stunUrls = lab ? [lab.stunUrl] : urls.map((url) => url.replace(/^turns?:([^?]+).*$/, 'stun:$1'))
  const stun = await probeStun({urls: stunUrls, count: 3})
  for (const r of stun.results) console.log(`STUN ${r.url}: ${r.outcome} ${r.message}`)
  console.log(`NAT: ${stun.mapping.verdict}`)

  // TURN: every URL on its own transport, at once; the relay proven with an echo; allocations freed.
  const turn = await probeTurn({urls, username, credential, tls})
  for (const r of turn.results) {
    const echo = r.echo ? `, echo ${r.echo.received}/${r.echo.sent}` : ''
    console.log(`TURN ${r.url}: ${r.outcome}${r.step ? ` at ${r.step}` : ''}: ${r.message}${echo}`)
  }

  // ICE: relay candidates as a browser (werift) would gather them.
  const ice = await gatherCandidates({iceServers: [{urls, username, credential}], relayOnly: true, tls})
  console.log(`ICE: ${ice.summary.relay} relay candidate(s)`, ice.warnings.join('; '))

  process.exitCode = Math.max(stun.exitCode, turn.exitCode, ice.exitCode)
} finally {
  await lab?.stop()
}
