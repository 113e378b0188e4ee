/** Step 9, DELETE: the session ends at once instead of timing out (MediaMTX has DELETE since v1.2.1). */
import type {WhipSession} from '../whip-client.js'
import {whipDelete} from '../whip-client.js'
import type {ProbeContext} from './probe-context.js'

export async function deleteSession(ctx: ProbeContext, s: WhipSession): Promise<void> {
  await ctx.run('whip.delete', async () => {
    const result = await whipDelete(s, ctx.request)
    ctx.mark('delete', `DELETE ${s.resource.url}: HTTP ${result.status}`)
    if (result.ok) return {status: 'pass', evidence: `HTTP ${result.status}`}
    if (result.status === 405 || result.status === 501 || (result.status === 404 && s.resource.form === 'missing')) {
      return {
        status: 'warn',
        evidence: `HTTP ${result.status}: the server has no DELETE (MediaMTX before v1.2.1); the session ends when it times out`,
      }
    }
    return {
      status: 'fail',
      evidence: `DELETE ${s.resource.url} → HTTP ${result.status}${result.message ? `: ${result.message}` : ''}`,
      fix: 'The session URL from the Location header does not work: check proxies that rewrite paths.',
    }
  })
}
