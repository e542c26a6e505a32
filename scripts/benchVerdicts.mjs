// Every bench of `pnpm bench` reports its targets through here: one PASS or MISS line per target
// with what was measured, and a JSON file in .bench-results/ (not committed) that
// scripts/benchSummary.mjs prints together at the end of the run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const resultsDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-results')

/** Prints `verdicts` ({ target, measured, pass }) and records them under `bench` for the summary. */
export const reportVerdicts = (bench, verdicts) => {
  console.log(`\n${bench}: targets`)
  for (const verdict of verdicts) console.log(`  ${verdict.pass ? 'PASS' : 'MISS'}  ${verdict.target}: ${verdict.measured}`)
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `${bench.replace(/[^a-z0-9-]+/gi, '_')}.json`), `${JSON.stringify({ bench, at: new Date().toISOString(), verdicts }, null, 2)}\n`)
}
