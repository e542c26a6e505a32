// Under Stryker, vitest stops at the first failing test (bail). Running the cheap, rule-named
// tests first means most mutants die in milliseconds; the model-based property test, which
// covers nearly every line, runs last and only for mutants the rule tests let through.
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Files run last, in this order (the most expensive last). */
const LAST = ['modelRegressions.test.ts', 'roundTwoRegressions.test.ts', 'modelBased.prop.test.ts']

/** The pure-function pins (mutationPins*.test.ts) first: they take milliseconds and kill most. */
const rank = (file: string): number => {
  if (/\/mutationPins[^/]*\.test\.ts$/.test(file)) return -2
  const index = LAST.findIndex((name) => file.endsWith(`/${name}`))
  return index < 0 ? -1 : index
}

export class CheapFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId))
  }
}
