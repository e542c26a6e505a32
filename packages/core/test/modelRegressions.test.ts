// Counterexamples fast-check found in the model-based test, kept as exact replays.
import { describe, it } from 'vitest'
import { runModel, type Step } from './modelBased.js'

const regressions: { readonly name: string; readonly steps: readonly Step[] }[] = [
  {
    // An invalid token overwrote the record of the refused one, so passing the refused token
    // again was accepted and sent again.
    name: 'R7/S1: a refused token stays refused after an invalid token was passed in between',
    steps: [
      { kind: 'authStorm', user: 'u3', rounds: 1 },
      { kind: 'token', user: 'u3', token: 'wrong-subject' },
      { kind: 'token', user: 'u3', token: 'replay-rejected' },
    ],
  },
]

describe('model-based regressions', () => {
  for (const regression of regressions) {
    it(regression.name, async () => {
      await runModel(regression.steps)
    })
  }
})
