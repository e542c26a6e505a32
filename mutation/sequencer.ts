// Under Stryker, vitest stops at the first failing test (bail). Running the cheap, rule-named
// tests first means most mutants die in milliseconds; the model-based property test, which
// covers nearly every line, runs last and only for mutants the rule tests let through.
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Files run last, in this order (the most expensive last). */
const LAST = ['modelRegressions.test.ts', 'roundTwoRegressions.test.ts', 'modelBased.prop.test.ts']

/**
 * Files run right after the pins: synchronous tests of the machine and of pure code, which fail
 * at once where a mutant breaks the chart (an SDK-level test would wait on a flush that never
 * settles until its timeout).
 */
const EARLY = ['statechartPaths.test.ts', 'readmeDiagram.test.ts', 'jwtClientChecks.test.ts']

/** The pins (mutationPins*.test.ts, verificationPins.test.ts) first: they take milliseconds and kill most. */
const rank = (file: string): number => {
  if (/\/(mutationPins[^/]*|verificationPins)\.test\.ts$/.test(file)) return -3
  if (EARLY.some((name) => file.endsWith(`/${name}`))) return -2
  const index = LAST.findIndex((name) => file.endsWith(`/${name}`))
  return index < 0 ? -1 : index
}

export class CheapFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId))
  }
}
