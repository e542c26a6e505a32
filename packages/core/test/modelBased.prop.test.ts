import fc from 'fast-check'
import { describe, it } from 'vitest'
import { coverage, runModel, stepArbitrary, type Step } from './modelBased.js'

const LONG = process.env['JWT_SYNC_LONG'] === '1'
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2_147_483_647)
const numRuns = Number(process.env['FC_RUNS'] ?? (LONG ? 10_000 : 1_000))
/** FC_NO_SHRINK=1 reports the first failing run as found, without shrinking it (quick mutant checks). */
const shrink = process.env['FC_NO_SHRINK'] !== '1'

describe('model-based: random interleavings of every command and server outcome', () => {
  it('R3 R4 R7 R8 S1 S3 R11 R14 R19: every rule, the conservation law and the chart/data agreement hold after every step, and R2-R12 R14: the SDK does exactly what the reference model of the rules predicts', async () => {
    console.log(`model-based property test: seed=${seed} runs=${numRuns} (replay with FC_SEED=${seed})`)
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 100, size: 'large' }), async (steps: Step[]) => {
        await runModel(steps)
      }),
      { seed, numRuns, endOnFailure: !shrink },
    )
    console.log('model-based coverage:', JSON.stringify({ ...coverage, chartStates: [...coverage.chartStates].sort() }))
  }, LONG ? 3_600_000 : 300_000)
})
