/**
 * Compiles a part of the library to plain JavaScript under .r58-tmp/ (inside the repo, so `yaml` and `undici`
 * resolve), for child processes that must start fast: the crash and concurrency tests spawn hundreds.
 */
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import ts from 'typescript'
import {ROOT} from './cli.js'

const IMPORT = /(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g

/** Transpiles `entries` (repo-relative .ts paths) and every module they import; returns the output folder. */
export function transpileTree(entries: readonly string[]): string {
  mkdirSync(join(ROOT, '.r58-tmp'), {recursive: true})
  const out = mkdtempSync(join(ROOT, '.r58-tmp', 'lib-'))
  const seen = new Set<string>()
  const queue = entries.map((entry) => resolve(ROOT, entry))
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    const js = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022},
    }).outputText
    const target = join(out, relative(ROOT, file).replace(/\.ts$/, '.js'))
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, js)
    for (const match of source.matchAll(IMPORT)) queue.push(resolve(dirname(file), `${match[1]}.ts`))
  }
  return out
}
