// The vitest config Stryker runs the reference server's tests with (mutation/run.mjs, scope
// server). The server imports @jwt-sync/core through node_modules: the unmutated core.
import { defineConfig } from 'vitest/config'
import '../scripts/node20Compat.ts'
import { CheapFirstSequencer } from './sequencer.js'

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/reference-server/test/**/*.test.ts'],
    setupFiles: ['mutation/settle.ts'],
    sequence: { sequencer: CheapFirstSequencer },
    // A mutant that hangs the SDK (a flush that never settles, against R12) fails its test here
    // instead of waiting for Stryker's timeout and a restart of the test runner. The slowest test
    // takes about 3 s on a loaded machine.
    testTimeout: 10_000,
    hookTimeout: 30_000,
    // A hung SDK keeps promises pending: do not wait long for the worker to wind down after it.
    teardownTimeout: 1_000,
  },
})
