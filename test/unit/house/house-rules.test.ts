/**
 * The house rules ARCHITECTURE.md states, checked over the sources so they stay true: the simulators' wing is
 * never loaded with the product, every file name says which one it is, and no file grows past what one reader
 * holds in their head. (Function length is Biome's complexity/noExcessiveLinesPerFunction, in `npm run lint`.)
 */
import {readdirSync, readFileSync} from 'node:fs'
import {basename, dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../..')

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort()
}

const product = [...sourcesUnder('src'), ...sourcesUnder('commands')].filter((file) => !file.startsWith('src/sim/'))

/** Static imports that load a module at run time: `import type` and `export type` are erased by tsc. */
function staticValueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const specifiers: string[] = []
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)) {
    const [, , typeOnly, specifier] = match
    if (typeOnly || !specifier?.startsWith('.')) continue
    specifiers.push(relative(ROOT, resolve(dirname(join(ROOT, file)), specifier)))
  }
  return specifiers
}

describe('the simulators live in their own wing', () => {
  it('finds product files to check (the scan itself works)', () => {
    expect(product.length).toBeGreaterThan(100)
    expect(product).toContain('src/diagnose/run.ts')
  })

  it('no product module imports src/sim statically (type-only imports and import() are fine)', () => {
    const offenders = product.flatMap((file) =>
      staticValueImports(file)
        .filter((target) => target.startsWith('src/sim/'))
        .map((target) => `${file} → ${target}`),
    )
    expect(offenders).toEqual([])
  })

  it('the product entry exports nothing from the wing, and the wing has its own entry', () => {
    expect(staticValueImports('src/index.ts').filter((target) => target.startsWith('src/sim/'))).toEqual([])
    expect(staticValueImports('src/sim/index.ts').length).toBeGreaterThan(5)
  })
})

describe('files a reader can find and hold', () => {
  it('every file name under src/ is unique (but the two entry points, src/index.ts and src/sim/index.ts)', () => {
    const byName = new Map<string, string[]>()
    for (const file of sourcesUnder('src').filter((name) => basename(name) !== 'index.ts'))
      byName.set(basename(file), [...(byName.get(basename(file)) ?? []), file])
    expect([...byName.values()].filter((files) => files.length > 1)).toEqual([])
  })

  it('no file under src/ or commands/ is over 500 lines', () => {
    const long = [...sourcesUnder('src'), ...sourcesUnder('commands')]
      .map((file) => ({file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length - 1}))
      .filter(({lines}) => lines > 500)
    expect(long).toEqual([])
  })
})
