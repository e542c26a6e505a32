// How many mutants Stryker makes in each file, without running anything: its instrumenter over the
// source. The summary uses it to tell a file no run has measured from one with no code Stryker
// mutates (types, re-exports, constants), which no report lists.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const silent = { isDebugEnabled: () => false, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, isTraceEnabled: () => false, isInfoEnabled: () => false, isWarnEnabled: () => false, isErrorEnabled: () => false, isFatalEnabled: () => false, fatal: () => undefined }

/** Mutant count per file (the paths as given, relative to the repository root). */
export const mutantCounts = async (files) => mutantCountsOf(files.map((name) => [name, readFileSync(name, 'utf8')]))

/** Mutant count per file, of the given contents (a report's stored source, say). */
export const mutantCountsOf = async (entries) => {
  // The instrumenter is Stryker core's dependency, not the workspace's: resolve it from there.
  const core = createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')
  const entry = createRequire(core).resolve('@stryker-mutator/instrumenter')
  const { Instrumenter } = await import(pathToFileURL(entry).href)
  const counts = new Map()
  for (const [name, content] of entries) {
    const { mutants } = await new Instrumenter(silent).instrument([{ name, mutate: true, content }], { plugins: null, excludedMutations: [], ignorers: [] })
    counts.set(name, mutants.length)
  }
  return counts
}
