import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type BuildOptions } from 'esbuild'

/**
 * Bundles a TypeScript entry (resolving workspace packages to their sources) into one file in a
 * fresh temporary directory, for a child Node process or a browser page to run.
 *
 * @example
 * ```ts
 * const script = await bundle(new URL('../fixtures/crashWriter.ts', import.meta.url).pathname, 'node')
 * ```
 */
export const bundle = async (entry: string, platform: 'node' | 'browser', extra: Partial<BuildOptions> = {}): Promise<string> => {
  const outdir = await mkdtemp(join(tmpdir(), 'jwt-sync-bundle-'))
  const outfile = join(outdir, platform === 'node' ? 'entry.mjs' : 'entry.js')
  await build({
    entryPoints: [entry],
    bundle: true,
    outfile,
    platform,
    format: 'esm',
    target: platform === 'node' ? 'node20' : 'chrome120',
    conditions: ['source'],
    logLevel: 'silent',
    ...extra,
  })
  return outfile
}
