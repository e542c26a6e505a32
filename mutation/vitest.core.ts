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
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
