import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { build } from 'esbuild'

/**
 * The real executable for child-process tests: bin.ts bundled from source into a temp folder
 * (no `pnpm build` needed), removed after the file's tests. `ws` is CommonJS, so the ESM bundle
 * gets a `require`, as a published bundle would; better-sqlite3 (native, loaded only for --db)
 * stays external.
 *
 * @example
 * ```ts
 * const cli = useBundledCli('jwt-sync-bin-')
 * spawn(process.execPath, [cli.binary, '--help'], { cwd: cli.directory })
 * ```
 */
export const useBundledCli = (prefix: string): { readonly directory: string; readonly binary: string } => {
  const directory = mkdtempSync(join(tmpdir(), prefix))
  const binary = join(directory, 'jwt-sync.mjs')
  afterAll(() => rmSync(directory, { recursive: true, force: true }))
  beforeAll(async () => {
    await build({
      entryPoints: [resolve(import.meta.dirname, '../../src/bin.ts')],
      outfile: binary,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      external: ['better-sqlite3'],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'silent',
    })
  })
  return { directory, binary }
}
