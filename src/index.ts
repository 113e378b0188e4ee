/**
 * The r58 library: everything the CLI does, as functions that return data. Commands only parse, call one
 * of these and render. See examples/ for runnable scripts.
 */

// Cloudflare Calls (Realtime SFU): client, emulator, check
export {type CallsCheckOptions, type CallsCheckReport, runCallsCheck} from './calls/calls-check.js'
export {
  CallsClient,
  type CallsClientOptions,
  type CloseOptions,
  type CloseResult,
  type LocalTrack,
  type PullOptions,
  type PullResult,
  type PushOptions,
  type PushResult,
  type RemoteTrack,
  type RequestOptions as CallsRequestOptions,
} from './calls/calls-client.js'
export {CallsError, type CallsFailure, isCallsError, isSessionGone} from './calls/calls-errors.js'
export {DEFAULT_CALLS_API_BASE} from './calls/calls-types.js'
export {DEFAULT_RETRY_POLICY, type RetryPolicy} from './calls/retry.js'
export {type EffectiveConfig, effectiveConfig} from './config/effective.js'
export {defaultConfigPath, loadConfigFile} from './config/file.js'
export {initConfig} from './config/init.js'
export {REDACTED, Redactor} from './config/redact.js'
export {resolveSettings, Settings} from './config/setting-resolve.js'
export {envNameOf, flagNameOf, SETTINGS, type SettingKey} from './config/settings.js'
export {renderConfigTemplate} from './config/template.js'
export {diagnose} from './diagnose/diagnose.js'
export {checkHost} from './diagnose/host.js'
export {diagnoseExitCode, type GuestOption, guestOptions, type OptionId, recommend} from './diagnose/options.js'
export {ERROR_EXIT, type ErrorCode, EXIT, type ExitCode, isR58Error, R58Error} from './errors.js'
export {writeFileAtomic} from './fs/atomic-write.js'
export {type GatheredCandidate, type GatherOptions, gatherCandidates, type IceGatherReport} from './ice/gather.js'
export {
  formatIceUrl,
  type IceScheme,
  type IceServer,
  type IceTransport,
  type IceUrl,
  iceServerUrls,
  parseIceUrl,
} from './ice/ice-url.js'
export {createPeer, localDescription, type PeerOptions, waitForConnected} from './media/peer.js'
export {
  createSyntheticSource,
  isKeyframePayload,
  readSyntheticStamp,
  type SyntheticCodec,
  type SyntheticSource,
} from './media/synthetic.js'
export {MediamtxApi, type MediamtxPathState, type MediamtxWebrtcSession} from './mediamtx/api-client.js'
export {type ConfigDoc, parseConfigDoc} from './mediamtx/config-doc.js'
export {type MediamtxConfig, type MediamtxWebrtc, readMediamtxConfig} from './mediamtx/config-read.js'
export {type Problem, validateConfig} from './mediamtx/config-validate.js'
export {
  type ConfigureOptions,
  type ConfigureResult,
  configureMediamtx,
  type PlannedEdit,
  planConfigure,
  type VersionInfo,
  versionFromFlag,
} from './mediamtx/configure.js'
export {type ConfigureRequest, type ConfigureRunResult, runConfigure} from './mediamtx/configure-request.js'
export {applyTextEdits, type TextEdit} from './mediamtx/cst-edit.js'
export {type DeprecatedKey, deprecatedKeysIn} from './mediamtx/deprecations.js'
export {unifiedDiff} from './mediamtx/diff.js'
export {type EnvOverride, envOverrides} from './mediamtx/env-overrides.js'
export {acquireFileLock, withFileLock} from './mediamtx/file-lock.js'
export {type MediamtxIceServer, toMediamtxIceServers} from './mediamtx/ice-servers.js'
export {isKeyAccepted, keySince} from './mediamtx/key-rules.js'
export {
  type Finding,
  type MediamtxCheckOptions,
  type MediamtxCheckReport,
  mediamtxCheck,
} from './mediamtx/mediamtx-check.js'
export {type Change, type Operation, type OperationOutcome, planOperations} from './mediamtx/operations.js'
export {type Candidate, predictCandidates} from './mediamtx/predicted-candidates.js'
export {editFileSafely, readConfigSnapshot, writeIfUnchanged} from './mediamtx/safe-write.js'
export {findTailscaleAddress, type TailscaleAddress} from './mediamtx/tailscale.js'
export {
  refreshTurn,
  runTurnRefreshLoop,
  type TurnRefreshOptions,
  type TurnRefreshResult,
} from './mediamtx/turn-refresh.js'
export {compareVersions, formatVersion, parseVersion, type Version} from './mediamtx/version.js'
export {inferVersion} from './mediamtx/version-infer.js'
export {
  type AddressCategory,
  type AddressClass,
  type AddressScope,
  classifyAddress,
  isLoopbackAddress,
} from './net/address-class.js'
export {type HttpRequest, type HttpResponse, headerValue, headerValues, httpRequest} from './net/http.js'
export {CallsRelayEngine, type CallsRelayEngineOptions, targetUrlFor} from './relay/calls-engine.js'
export {checkOfferShape, createIngressHandler, type IngressOptions, iceServerLinks} from './relay/ingress.js'
export {MediamtxPaths, type MediamtxPathsOptions, type WhepCapability} from './relay/mediamtx-paths.js'
export {chooseRelayMode, MEDIA_ROUTE, type ModeDecision, type RelayMode, type RequestedRelayMode} from './relay/mode.js'
export {type RelayPullResult, requestRelayPull} from './relay/pull-client.js'
export {type AdminListen, type RelayOptions, type RunningRelay, startRelay} from './relay/relay-server.js'
export {DEFAULT_TIMINGS, type SessionTimings} from './relay/relay-session.js'
export {checkRelayPlan, planRelay, type RelayPlan, serveRelay} from './relay/start.js'
export {type RelayStatus, relayStatus} from './relay/status.js'
export {authorize, parseTokensFile, type TokenTable} from './relay/tokens.js'
export {TrackForwarder} from './relay/track-forward.js'
export {WhepRelayEngine, type WhepRelayEngineOptions, type WhepTimings, whepSourceUrl} from './relay/whep-engine.js'
export {WhepFacade, type WhepFacadeOptions, type WhepSource} from './relay/whep-facade.js'
export {
  type Check,
  type CheckStatus,
  exitCodeOf,
  type FailureKind,
  isOk,
  runCheck,
  skippedCheck,
} from './report/check.js'
export {
  type AnalyzedCandidate,
  type AnswerAnalysis,
  analyzeAnswer,
  classifyCandidates,
  isDocumentationAddress,
} from './sdp/analysis.js'
export {filterCandidateLines, unbundleOnly} from './sdp/munge.js'
export {candidateLabel, formatCandidate, parseCandidate, type SdpCandidate} from './sdp/sdp-candidate.js'
export {type ParsedSdp, parseSdp} from './sdp/sdp-session.js'
export {reachabilityVerdict, type Verdict, type VerdictScope} from './sdp/verdict.js'
export {
  type MappingBehaviour,
  type MappingObservation,
  type MappingVerdict,
  mappingVerdict,
} from './stun/nat-mapping.js'
export {type ProbeStunOptions, probeStun, type StunProbeReport, type StunServerResult} from './stun/stun-probe.js'
export {
  fetchCloudflareIceServers,
  MAX_TURN_TTL_SECONDS,
  revokeCloudflareTurnCredential,
  type TurnCredentials,
} from './turn/cloudflare-credentials.js'
export {restCredential} from './turn/rest-credentials.js'
export {
  type EchoResult,
  type ProbeTurnOptions,
  probeTurn,
  type TurnProbeReport,
  type TurnTargetResult,
} from './turn/turn-probe.js'
export {sleep, withTimeout} from './util/abort.js'
export {formatDuration, parseDuration} from './util/duration.js'
export {formatHostPort, parseHostPort} from './util/host-port.js'
export {type Log, type LogEvent, type LogLevel, silentLog} from './util/log.js'
export {disableStunFallback, keepRemoteCandidates, loopbackPeerConfig} from './webrtc/scope.js'
export {type SelectedPair, selectedPair} from './webrtc/selected-pair.js'
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
} from './whip/whip-client.js'
export {mediamtxPathOf, whipEndpointUrl} from './whip/whip-endpoint.js'
