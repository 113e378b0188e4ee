/**
 * The simulators' wing: the Cloudflare Calls emulator, the MediaMTX stand-in, the TURN-credentials API emulator
 * and the labs. They exist so r58 can be tried and tested without accounts or a box; the product (src/index.ts)
 * never imports them statically, and they are published as their own entry point (`r58/sim`).
 */
export {
  type CallsEmulator,
  type CallsEmulatorOptions,
  type CallsEmulatorStats,
  type SessionSnapshot,
  startCallsEmulator,
} from './calls-sfu/sfu-server.js'
export {type LabCertificate, makeSelfSignedCertificate} from './lab/certificate.js'
export {type CoturnLab, type CoturnOptions, findTurnserver, startCoturn} from './lab/coturn.js'
export {type Lab, type LabOptions, startLab} from './lab/lab.js'
export {createStandinApiHandler, type StandinState} from './mediamtx/api-server.js'
export {mediamtxCandidates, type StandinInterface} from './mediamtx/standin-candidates.js'
export {type MediamtxStandin, type MediamtxStandinOptions, startMediamtxStandin} from './mediamtx/standin-server.js'
export {StandinSession, type StandinTrackStats} from './mediamtx/standin-session.js'
export {WhepSourcePuller, whepHttpUrl} from './mediamtx/whep-source.js'
export {createTurnApiEmulator, type TurnApiEmulator} from './turn-api/turn-api-emulator.js'
