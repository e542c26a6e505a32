// `pnpm size`: the budgets of .size-limit.json against the workspace's built `dist` (run
// `pnpm build` first; `pnpm build` runs this at its end, with --report-only). Says whether each
// target is MET or MISSED and whether each enforced limit holds; exits 1 when a limit is exceeded,
// unless --report-only. `--composition` adds what each library (xstate, io-ts, fp-ts) adds to a
// bundled budget and what jwt-sync's own code weighs.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatBudget, measureBudgets, measureComposition, readBudgets, withWorkspaceApp } from './sizeBudgets.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const results = await withWorkspaceApp(root, (app) => measureBudgets(join(root, '.size-limit.json'), { resolveDir: app }))
console.log('size budgets (.size-limit.json; esbuild from dist, minified, gzip -9):')
for (const result of results) console.log(`  ${formatBudget(result)}`)
const commonJs = results.flatMap((result) => result.commonJsModules)
if (commonJs.length > 0) console.log(`  CommonJS modules in a bundle (not tree-shaken): ${[...new Set(commonJs)].join(', ')}`)
if (process.argv.includes('--composition')) {
  // Where the bytes of each bundled budget come from: the libraries the core builds on, and the rest.
  const libraries = ['xstate', 'io-ts', 'fp-ts']
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
  await withWorkspaceApp(root, async (app) => {
    for (const budget of readBudgets(join(root, '.size-limit.json')).filter((entry) => entry.bundle && entry.ignore.length === 0)) {
      const { full, parts, own } = await measureComposition(budget, { resolveDir: app }, libraries)
      console.log(`  ${budget.name}: ${kb(full)}; ${parts.map((part) => `${part.name} ${kb(part.gzipBytes)}`).join(', ')}; jwt-sync's own code ${kb(own)}`)
    }
  })
}
if (results.some((result) => result.gzipBytes > result.limitBytes) && !process.argv.includes('--report-only')) process.exitCode = 1
