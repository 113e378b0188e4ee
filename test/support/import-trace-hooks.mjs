/** Module hooks of import-trace.mjs (they run on the loader thread). */
import {appendFileSync} from 'node:fs'

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  const out = process.env['R58_IMPORT_TRACE']
  if (out) appendFileSync(out, `${resolved.url}\n`)
  return resolved
}
