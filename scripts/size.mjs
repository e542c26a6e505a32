// `pnpm size`: the budgets of .size-limit.json against the workspace's built `dist` (run
// `pnpm build` first; `pnpm build` runs this at its end, with --report-only). Says whether each
// target is MET or MISSED and whether each enforced limit holds; exits 1 when a limit is exceeded,
// unless --report-only.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatBudget, measureBudgets, withWorkspaceApp } from './sizeBudgets.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const results = await withWorkspaceApp(root, (app) => measureBudgets(join(root, '.size-limit.json'), { resolveDir: app }))
console.log('size budgets (.size-limit.json; esbuild from dist, minified, gzip -9):')
for (const result of results) console.log(`  ${formatBudget(result)}`)
const commonJs = results.flatMap((result) => result.commonJsModules)
if (commonJs.length > 0) console.log(`  CommonJS modules in a bundle (not tree-shaken): ${[...new Set(commonJs)].join(', ')}`)
if (results.some((result) => result.gzipBytes > result.limitBytes) && !process.argv.includes('--report-only')) process.exitCode = 1
