// What mutation testing covers, the thresholds it holds the tests to, and where results go.
// Read by mutation/run.mjs; docs in mutation/README.md.

/**
 * One Stryker run per suite: the core's tests for mutants in the core, the reference server's
 * tests for mutants in its token verification. The narrower scopes (jwt, wire, sync, drivers,
 * runtime, sdk, rest) are the core's run limited to part of it, for quick work on that part;
 * together they mutate every file of the core.
 */
export const SCOPES = {
  core: { suite: 'core', mutate: ['packages/core/src/**/*.ts'] },
  sync: { suite: 'core', mutate: ['packages/core/src/sync/**/*.ts'] },
  jwt: { suite: 'core', mutate: ['packages/core/src/jwt/**/*.ts'] },
  wire: { suite: 'core', mutate: ['packages/core/src/wire/**/*.ts'] },
  drivers: { suite: 'core', mutate: ['packages/core/src/drivers/**/*.ts'] },
  runtime: { suite: 'core', mutate: ['packages/core/src/runtime/**/*.ts'] },
  sdk: { suite: 'core', mutate: ['packages/core/src/sdk/**/*.ts'] },
  // The runtime and the facade less their two SDK-level cores (the persister, createSdk), whose
  // mutants cost the most: the parts the pure and facade pins reach quickly.
  parts: {
    suite: 'core',
    mutate: [
      'packages/core/src/runtime/authListeners.ts',
      'packages/core/src/runtime/ioActors.ts',
      'packages/core/src/runtime/persistedState.ts',
      'packages/core/src/runtime/redactedInspection.ts',
      'packages/core/src/runtime/redaction.ts',
      'packages/core/src/runtime/requestDurability.ts',
      'packages/core/src/runtime/tokenProviderService.ts',
      'packages/core/src/sdk/commandQueue.ts',
      'packages/core/src/sdk/effects.ts',
      'packages/core/src/sdk/ids.ts',
      'packages/core/src/sdk/listenerSet.ts',
      'packages/core/src/sdk/restoreState.ts',
      'packages/core/src/sdk/stateView.ts',
      'packages/core/src/sdk/tracking.ts',
      'packages/core/src/sdk/validateInput.ts',
    ],
  },
  // The core's files outside the folders above: the model (config, identity, item codecs), the
  // ports (the system clock, the silent logger) and the entry points.
  rest: {
    suite: 'core',
    mutate: ['packages/core/src/model/**/*.ts', 'packages/core/src/ports/**/*.ts', 'packages/core/src/index.ts', 'packages/core/src/either.ts', 'packages/core/src/statechart.ts'],
  },
  server: { suite: 'server', mutate: ['packages/reference-server/src/verification/**/*.ts'] },
}

/** The scopes `pnpm mutation` and the CI guard run: together they mutate every folder below. */
export const FULL_SCOPES = ['core', 'server']

export const SUITES = {
  // testDirs: where the suite's tests and their helpers are (the guard warns when a helper changed).
  core: { vitestConfig: 'mutation/vitest.core.ts', testDirs: ['packages/core/test'] },
  server: { vitestConfig: 'mutation/vitest.server.ts', testDirs: ['packages/reference-server/test'] },
}

/** Minimum mutation score (%) per folder (a folder counts every file below it). */
export const THRESHOLDS = {
  'packages/core/src/sync': 90,
  'packages/core/src/jwt': 90,
  'packages/core/src/wire': 90,
  'packages/core/src': 80,
  'packages/reference-server/src/verification': 90,
}

/** Reports and the sandbox: outside git (see .gitignore). */
export const REPORTS_DIR = 'reports/mutation'
/** The committed incremental results of the last full run: the baseline the CI guard starts from. */
export const BASELINE_DIR = 'mutation/incremental'
