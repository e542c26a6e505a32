// The vitest config Stryker runs the core's tests with (mutation/run.mjs, scopes jwt, wire,
// sync and core). Only the core's own tests: the other packages import @jwt-sync/core through
// node_modules, which the sandbox links back to the unmutated original.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import '../scripts/node20Compat.ts'
import { CheapFirstSequencer } from './sequencer.js'

const src = (file: string): string => fileURLToPath(new URL(`../packages/core/src/${file}`, import.meta.url))

export default defineConfig({
  resolve: {
    conditions: ['source'],
    // The tests import the package by name: resolve it to this tree's (the sandbox's, mutated) source.
    alias: [
      { find: /^@jwt-sync\/core$/, replacement: src('index.ts') },
      { find: /^@jwt-sync\/core\/statechart$/, replacement: src('statechart.ts') },
    ],
  },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/core/test/**/*.test.ts'],
    // Reachability of every chart state and transition (150 fixed-seed model runs, 14-30 s a
    // mutant). statechartPaths.test.ts reaches every state too, in a quarter of a second.
    exclude: ['packages/core/test/statechartCoverage.test.ts'],
    sequence: { sequencer: CheapFirstSequencer },
    setupFiles: ['mutation/settle.ts'],
    // A mutant that hangs the SDK (a flush that never settles, against R12) fails its test here
    // instead of waiting for Stryker's timeout and a restart of the test runner. The slowest test
    // takes about 3 s on a loaded machine.
    testTimeout: 10_000,
    hookTimeout: 30_000,
    // A hung SDK keeps promises pending: do not wait long for the worker to wind down after it.
    teardownTimeout: 1_000,
  },
})
