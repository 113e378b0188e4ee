/**
 * `npm ci` (prepare) writes oclif.manifest.json so an installed r58 starts without loading every command. When
 * running the sources (bin/dev.js, tests) it would go stale as soon as a command changes: oclif would list old
 * flags in help and miss new commands. Remove it when any command or CLI source is newer.
 */
import {readdirSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

export function removeStaleManifest(root) {
  const manifest = join(root, 'oclif.manifest.json')
  let built
  try {
    built = statSync(manifest).mtimeMs
  } catch {
    return false
  }
  const sources = Math.max(
    newestMtime(join(root, 'commands')),
    newestMtime(join(root, 'src')),
    statSync(join(root, 'package.json')).mtimeMs,
  )
  if (sources <= built) return false
  rmSync(manifest, {force: true})
  return true
}
