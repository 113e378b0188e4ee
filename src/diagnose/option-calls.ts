/** Option 5, Cloudflare Calls: the app's credentials, the relay on this box, and a guest through both. */
import {runCallsCheck} from '../calls/calls-check.js'
import {httpRequest} from '../net/http.js'
import {type Check, skippedCheck} from '../report/check.js'
import type {DiagnoseContext} from './diagnose-context.js'
import type {DiagnoseOptions} from './diagnose-types.js'
import {r58Command} from './fix-command.js'
import {relayEndToEnd} from './relay-e2e.js'

export function checkCallsCredentials(ctx: DiagnoseContext): Promise<Check> {
  const {options, track, signal} = ctx
  return options.calls
    ? track('calls.credentials', 'Calls app id and secret', async (budget) => {
        const calls = options.calls as NonNullable<DiagnoseOptions['calls']>
        const report = await runCallsCheck({
          appId: calls.appId,
          appSecret: calls.appSecret,
          ...(calls.apiBase && {apiBase: calls.apiBase}),
          timeoutMs: budget,
          packets: 10,
          signal,
        })
        if (report.ok) return {status: 'pass', evidence: `session, push, pull and media work at ${report.apiBase}`}
        const failed = report.checks.find((c) => c.status === 'fail')
        return {
          status: 'fail',
          ...(failed?.failure && {failure: failed.failure}),
          evidence: failed ? `${failed.title}: ${failed.evidence}` : 'calls check failed',
          ...(failed?.fix && {fix: failed.fix}),
        }
      })
    : Promise.resolve(
        skippedCheck(
          'calls.credentials',
          'Calls app id and secret',
          'no Calls app configured',
          'Create a Calls app in the Cloudflare dashboard, then set --calls-app-id and --calls-app-secret-file (or R58_CALLS_APP_ID / R58_CALLS_APP_SECRET).',
        ),
      )
}

/** `r58 relay start` runs only with a Calls app and a token: without them, say what to set up first. */
function relayStartFix(ctx: DiagnoseContext, listen?: string): string {
  const {options, carry} = ctx
  if (!options.calls) {
    return 'The relay needs a Calls app first (see calls.credentials); then start it with r58 relay start.'
  }
  if (!options.relay?.token) {
    return 'The relay needs a token for its guests: start it with r58 relay start --relay-token-file FILE (or R58_RELAY_TOKEN).'
  }
  return r58Command([
    'relay',
    'start',
    ...(listen ? ['--relay-listen', listen] : []),
    ...carry('calls.appId', '--calls-app-id'),
    ...carry('calls.appSecret', '--calls-app-secret'),
    ...carry('calls.apiBase', '--calls-api-base'),
    ...carry('mediamtx.url', '--mediamtx-url'),
    ...carry('relay.token', '--relay-token'),
  ])
}

export function checkRelayHealth(ctx: DiagnoseContext): Promise<Check> {
  const {options, track, signal} = ctx
  const relayUrl = options.relay?.url
  return relayUrl
    ? track('calls.relay.health', 'Relay running', async (budget) => {
        // Health is an operator endpoint: asked on the operator listener, or on the guest listener only when
        // no operator URL is known (a relay started with --public-metrics serves it there too).
        const {adminEndpoint} = await import('../relay/admin-client.js')
        const endpoint = adminEndpoint(options.relay?.adminUrl ?? relayUrl)
        try {
          const response = await httpRequest(`${endpoint.base}/healthz`, {
            timeoutMs: budget,
            signal,
            step: 'relay health',
            ...(endpoint.dispatcher && {dispatcher: endpoint.dispatcher}),
          })
          if (response.status !== 200) {
            return {
              status: 'fail',
              evidence: `${endpoint.shown}/healthz answered HTTP ${response.status}`,
              fix: relayStartFix(ctx),
            }
          }
          return {status: 'pass', evidence: `${relayUrl} is healthy (asked ${endpoint.shown}/healthz)`}
        } finally {
          await endpoint.close()
        }
      }).then((check) =>
        check.status === 'fail' && check.failure === 'unreachable'
          ? {
              ...check,
              evidence: `no relay at ${relayUrl} (${check.evidence})`,
              fix: relayStartFix(ctx, new URL(relayUrl).host),
            }
          : check,
      )
    : Promise.resolve(
        skippedCheck('calls.relay.health', 'Relay running', 'no relay URL configured', relayStartFix(ctx)),
      )
}

/** After the relay's health: a synthetic guest publishes through the relay, the media must reach MediaMTX. */
export function checkRelayEndToEnd(ctx: DiagnoseContext, relayHealth: Promise<Check>): Promise<Check> {
  const {options, mediamtx, track, signal} = ctx
  const relayUrl = options.relay?.url
  return relayHealth.then((health) => {
    if (health.status !== 'pass' || !relayUrl) {
      return skippedCheck(
        'calls.relay.e2e',
        'A guest through the relay into MediaMTX',
        health.status === 'skip'
          ? 'no relay configured'
          : `not run: the relay is not running (calls.relay.health: ${health.status})`,
      )
    }
    if (!options.relay?.token) {
      return skippedCheck(
        'calls.relay.e2e',
        'A guest through the relay into MediaMTX',
        'no relay token to publish with',
        'Set --relay-token-file or R58_RELAY_TOKEN (a token valid for every path).',
      )
    }
    return track('calls.relay.e2e', 'A guest through the relay into MediaMTX', (budget) =>
      relayEndToEnd(
        {guestUrl: relayUrl, adminUrl: options.relay?.adminUrl ?? relayUrl},
        options.relay?.token as string,
        `${mediamtx.path}-relay`,
        mediamtx,
        options.calls?.apiBase,
        budget,
        signal,
      ),
    )
  })
}
