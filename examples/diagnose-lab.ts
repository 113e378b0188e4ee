/**
 * Diagnose a complete local stack from the library: the lab (MediaMTX stand-in, Calls emulator, relay, coturn
 * when installed), then `diagnose`, printing the four ways a guest can reach MediaMTX.
 *
 *   node --import tsx examples/diagnose-lab.ts
 */
import {diagnose} from '../src/index.js'
import {startLab} from '../src/sim/index.js'

const lab = await startLab()
try {
  const report = await diagnose(lab.diagnose)
  for (const option of report.options) console.log(`${option.status.padEnd(4)}  ${option.title}: ${option.evidence}`)
  console.log(
    `\n${report.recommendation.text}${report.recommendation.fix ? `\nfix: ${report.recommendation.fix}` : ''}`,
  )
  process.exitCode = report.exitCode
} finally {
  await lab.close()
}
// werift 0.24 keeps a TURN allocation's refresh timer (up to 500 s) after its peer has closed; the r58 CLI
// ends the same way once its work is done.
process.exit()
