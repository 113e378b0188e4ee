/** Step 1, OPTIONS: the methods the endpoint allows and the ICE servers its Link headers hand out. */
import {type IceServer, iceServerUrls} from '../../ice/ice-url.js'
import type {CheckFailure, CheckOutcome} from '../../report/check.js'
import {whipOptions} from '../whip-client.js'
import type {ProbeContext} from './probe-context.js'

/** The Link-header ICE servers, or undefined when the endpoint refused (the probe stops). */
export async function askOptions(ctx: ProbeContext): Promise<IceServer[] | undefined> {
  let linkServers: IceServer[] = []
  const check = await ctx.run('whip.options', async () => {
    const result = await whipOptions(ctx.options.url, ctx.request)
    ctx.mark(
      'options',
      `HTTP ${result.status}${result.methods.length ? `, allows ${result.methods.join(', ')}` : ''}, ${result.iceServers.length} ICE server(s) in Link headers`,
    )
    linkServers = result.iceServers
    ctx.report.iceServers.ignored.push(...result.linkIgnored)
    return optionsOutcome(result, Boolean(ctx.options.token))
  })
  if (check.status === 'fail') {
    ctx.stopReason = `OPTIONS failed (${check.evidence})`
    return undefined
  }
  return linkServers
}

function optionsOutcome(
  result: Awaited<ReturnType<typeof whipOptions>>,
  withToken: boolean,
): CheckOutcome | CheckFailure {
  if (result.status === 401 || result.status === 403) {
    return {
      status: 'fail',
      failure: 'auth',
      evidence: `HTTP ${result.status}${result.message ? `: ${result.message}` : ''} (credentials ${withToken ? 'rejected' : 'required'})`,
      fix: 'Give the publish credentials with --mediamtx-token-file (a file holding "user:pass" or a JWT).',
    }
  }
  const urls = iceServerUrls(result.iceServers)
  if (result.status >= 200 && result.status < 300 && result.message !== '(an HTML page)') {
    return {
      status: 'pass',
      evidence: `HTTP ${result.status}${result.methods.length ? `; methods ${result.methods.join(', ')}` : ''}; ICE servers: ${urls.length ? urls.join(', ') : 'none'}`,
      data: {status: result.status, methods: result.methods, iceServers: urls},
    }
  }
  return {
    status: 'warn',
    evidence: `HTTP ${result.status}${result.message ? ` (${result.message})` : ''}: no usable OPTIONS answer, so no ICE servers before the offer`,
    data: {status: result.status, methods: result.methods, iceServers: urls},
  }
}
