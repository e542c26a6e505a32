// Every bench of `pnpm bench` reports its targets through here: one PASS or MISS line per target
// with what was measured, and a JSON file in .bench-results/ (not committed) that
// scripts/benchSummary.mjs prints together at the end of the run.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The workspace root: the benches run bundled from temporary folders, so it is found from the
 * working directory (pnpm runs a package's script in the package), not from this file.
 */
const workspaceRoot = () => {
  for (let at = process.cwd(); ; at = dirname(at)) {
    if (existsSync(join(at, 'pnpm-workspace.yaml'))) return at
    if (dirname(at) === at) return process.cwd()
  }
}

/** Prints `verdicts` ({ target, measured, pass }) and records them under `bench` for the summary. */
export const reportVerdicts = (bench, verdicts) => {
  console.log(`\n${bench}: targets`)
  for (const verdict of verdicts) console.log(`  ${verdict.pass ? 'PASS' : 'MISS'}  ${verdict.target}: ${verdict.measured}`)
  const resultsDir = join(workspaceRoot(), '.bench-results')
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `${bench.replace(/[^a-z0-9-]+/gi, '_')}.json`), `${JSON.stringify({ bench, at: new Date().toISOString(), verdicts }, null, 2)}\n`)
}
