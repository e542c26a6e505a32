// The end of `pnpm bench`: every target every bench of this run reported (.bench-results/), with
// its measurement and PASS or MISS, and the machine's load. Exits 0 either way: a bench reports;
// what fails is the size check of the tests (packages/consumer) and `pnpm size`.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const resultsDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-results')
// `--reset` before the benches run: the summary then holds this run's targets only.
if (process.argv.includes('--reset')) {
  rmSync(resultsDir, { recursive: true, force: true })
  process.exit(0)
}
const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((name) => name.endsWith('.json')).sort() : []
let passed = 0
let missed = 0
console.log('\n=== pnpm bench: every target ===')
for (const file of files) {
  const { bench, verdicts } = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'))
  console.log(`${bench}:`)
  for (const verdict of verdicts) {
    if (verdict.pass) passed++
    else missed++
    console.log(`  ${verdict.pass ? 'PASS' : 'MISS'}  ${verdict.target}: ${verdict.measured}`)
  }
}
const [one, five, fifteen] = os.loadavg()
console.log(`${passed} PASS, ${missed} MISS; load average now ${one.toFixed(2)}/${five.toFixed(2)}/${fifteen.toFixed(2)} on ${os.cpus().length} cores`)
