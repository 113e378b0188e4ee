/**
 * The JSON type of every key of MediaMTX's GlobalConf and PathConf, read from the OpenAPI files in
 * test/fixtures/mediamtx-openapi (all versions merged; a key keeps the type of its newest file). The unit test
 * of src/sim/mediamtx/conf-types.ts compares that table with what this computes.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'
import {parseVersion} from '../../src/mediamtx/version.js'
import type {ConfType} from '../../src/sim/mediamtx/conf-types.js'

const DIR = join(import.meta.dirname, '../fixtures/mediamtx-openapi')

interface Schema {
  type?: string
  $ref?: string
  items?: Schema
  properties?: Record<string, Schema>
  allOf?: Schema[]
}

function typeOf(schema: Schema, schemas: Record<string, Schema>): ConfType {
  if (schema.$ref) return typeOf(schemas[schema.$ref.split('/').at(-1) ?? ''] ?? {}, schemas)
  if (schema.allOf?.[0]) return typeOf(schema.allOf[0], schemas)
  switch (schema.type) {
    case 'boolean':
      return 'boolean'
    case 'integer':
      return 'integer'
    case 'number':
      return 'number'
    case 'string':
      return 'string'
    case 'array': {
      const item = typeOf(schema.items ?? {}, schemas)
      return item === 'string' ? 'string[]' : item === 'integer' ? 'integer[]' : 'object[]'
    }
    default:
      return 'object'
  }
}

export function confTypesFromOpenapi(): {global: Record<string, ConfType>; path: Record<string, ConfType>} {
  const files = readdirSync(DIR)
    .filter((name) => name.endsWith('.openapi.yaml'))
    .sort((a, b) => {
      const [x, y] = [parseVersion(a.replace('.openapi.yaml', '')), parseVersion(b.replace('.openapi.yaml', ''))]
      for (let i = 0; i < 3; i++) if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) - (y?.[i] ?? 0)
      return 0
    })
  const global: Record<string, ConfType> = {}
  const path: Record<string, ConfType> = {}
  for (const name of files) {
    const doc = parse(readFileSync(join(DIR, name), 'utf8')) as {components?: {schemas?: Record<string, Schema>}}
    const schemas = doc.components?.schemas ?? {}
    const globalSchema = schemas['GlobalConf'] ?? schemas['Conf']
    for (const [key, schema] of Object.entries(globalSchema?.properties ?? {})) {
      if (key !== 'paths' && key !== 'pathDefaults') global[key] = typeOf(schema, schemas)
    }
    for (const [key, schema] of Object.entries(schemas['PathConf']?.properties ?? {}))
      path[key] = typeOf(schema, schemas)
  }
  const sorted = (table: Record<string, ConfType>) =>
    Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return {global: sorted(global), path: sorted(path)}
}
