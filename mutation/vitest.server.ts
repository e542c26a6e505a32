// The vitest config Stryker runs the reference server's tests with (mutation/run.mjs, scope
// server). The server imports @jwt-sync/core through node_modules: the unmutated core.
import { defineConfig } from 'vitest/config'
import '../scripts/node20Compat.ts'

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/reference-server/test/**/*.test.ts'],
    setupFiles: ['mutation/settle.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
