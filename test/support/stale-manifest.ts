/** vitest global setup: tests run the sources, so an oclif.manifest.json older than them must not be read. */
import {resolve} from 'node:path'
import {removeStaleManifest} from '../../bin/stale-manifest.js'

export default function setup(): void {
  removeStaleManifest(resolve(import.meta.dirname, '../..'))
}
