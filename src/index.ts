/**
 * The r58 library: everything the CLI does, as functions that return data. Commands only parse, call one
 * of these and render. See examples/ for runnable scripts.
 */

export {type EffectiveConfig, effectiveConfig} from './config/effective.js'
export {defaultConfigPath, loadConfigFile} from './config/file.js'
export {initConfig} from './config/init.js'
export {REDACTED, Redactor} from './config/redact.js'
export {resolveSettings, Settings} from './config/resolve.js'
// Configuration
export {envNameOf, flagNameOf, SETTINGS, type SettingKey} from './config/settings.js'
export {renderConfigTemplate} from './config/template.js'
// Errors and reports
export {ERROR_EXIT, type ErrorCode, EXIT, type ExitCode, isR58Error, R58Error} from './errors.js'
// Files
export {writeFileAtomic} from './fs/atomic-write.js'
// ICE servers and addresses
export {
  formatIceUrl,
  type IceScheme,
  type IceServer,
  type IceTransport,
  type IceUrl,
  iceServerUrls,
  parseIceUrl,
} from './ice/ice-url.js'
// Synthetic media
export {
  createSyntheticSource,
  isKeyframePayload,
  readSyntheticStamp,
  type SyntheticCodec,
  type SyntheticSource,
} from './media/synthetic.js'
export {MediamtxApi, type MediamtxPathState, type MediamtxWebrtcSession} from './mediamtx/api-client.js'
// MediaMTX
export {type MediamtxConfig, type MediamtxWebrtc, readMediamtxConfig} from './mediamtx/config-read.js'
export {type MediamtxIceServer, toMediamtxIceServers} from './mediamtx/ice-servers.js'
export {isKeyAccepted, keySince} from './mediamtx/key-rules.js'
export {createStandinApiHandler, type StandinState} from './mediamtx/standin/api-server.js'
export {mediamtxCandidates, type StandinInterface} from './mediamtx/standin/candidates.js'
export {type MediamtxStandin, type MediamtxStandinOptions, startMediamtxStandin} from './mediamtx/standin/server.js'
export {StandinSession, type StandinTrackStats} from './mediamtx/standin/session.js'
export {compareVersions, formatVersion, parseVersion, type Version} from './mediamtx/version.js'
export {
  type AddressCategory,
  type AddressClass,
  type AddressScope,
  classifyAddress,
  isLoopbackAddress,
} from './net/address-class.js'
export {type HttpRequest, type HttpResponse, headerValue, headerValues, httpRequest} from './net/http.js'
export {
  type Check,
  type CheckStatus,
  exitCodeOf,
  type FailureKind,
  isOk,
  runCheck,
  skippedCheck,
} from './report/check.js'
// WHIP probe, SDP answer analysis and the MediaMTX stand-in (issue 4)
export {
  type AnalyzedCandidate,
  type AnswerAnalysis,
  analyzeAnswer,
  classifyCandidates,
  isDocumentationAddress,
} from './sdp/analysis.js'
export {candidateLabel, formatCandidate, parseCandidate, type SdpCandidate} from './sdp/candidate.js'
export {filterCandidateLines, unbundleOnly} from './sdp/munge.js'
export {type ParsedSdp, parseSdp} from './sdp/session.js'
export {reachabilityVerdict, type Verdict, type VerdictScope} from './sdp/verdict.js'
// Cloudflare TURN
export {
  fetchCloudflareIceServers,
  MAX_TURN_TTL_SECONDS,
  revokeCloudflareTurnCredential,
  type TurnCredentials,
} from './turn/cloudflare-credentials.js'
export {createTurnApiEmulator, type TurnApiEmulator} from './turn/cloudflare-credentials-emulator.js'
export {restCredential} from './turn/rest-credentials.js'
export {sleep, withTimeout} from './util/abort.js'
// Small parsers
export {formatDuration, parseDuration} from './util/duration.js'
export {formatHostPort, parseHostPort} from './util/host-port.js'
// Services and waiting
export {type Log, type LogEvent, type LogLevel, silentLog} from './util/log.js'
export {disableStunFallback, keepRemoteCandidates, loopbackPeerConfig} from './webrtc/scope.js'
export {type SelectedPair, selectedPair} from './webrtc/selected-pair.js'
export {
  serverMessage,
  type WhipDeleteResult,
  type WhipOptionsResult,
  type WhipPatchResult,
  type WhipRequestOptions,
  type WhipSession,
  whipDelete,
  whipOptions,
  whipPatch,
  whipPost,
} from './whip/client.js'
export {mediamtxPathOf, whipEndpointUrl} from './whip/endpoint.js'
export {formatLinkHeaders, parseLinkHeaders} from './whip/link-header.js'
export {resolveLocation} from './whip/location.js'
export {
  type MediamtxConfirmation,
  type ProbeCandidate,
  probeWhip,
  type TimelineEntry,
  type WhipProbeOptions,
  type WhipProbeReport,
} from './whip/probe.js'
export {Publisher, type RtcpSummary} from './whip/publisher.js'
export {buildTrickleFragment, parseTrickleFragment} from './whip/sdpfrag.js'
