import { build } from 'esbuild'

/**
 * One module a bundler put into a browser bundle, with the format esbuild read it in.
 *
 * @example
 * ```ts
 * const module: BundledModule = { path: 'node_modules/xstate/dist/xstate.esm.js', format: 'esm', bytesInOutput: 39792 }
 * ```
 */
export type BundledModule = { readonly path: string; readonly format: 'esm' | 'cjs' | 'none'; readonly bytesInOutput: number }

/**
 * Bundles `entry` for browsers as an app's bundler would (esbuild, its default conditions and
 * fields, minified), resolving packages from `projectDirectory`, and lists every module in the
 * output. A CommonJS module cannot be tree-shaken: all of it lands in the bundle.
 *
 * @example
 * ```ts
 * const commonJs = (await bundledModules(dir, join(dir, 'page.mjs'))).filter((m) => m.format === 'cjs')
 * ```
 */
export const bundledModules = async (projectDirectory: string, entry: string): Promise<readonly BundledModule[]> => {
  const bundled = await build({
    entryPoints: [entry],
    absWorkingDir: projectDirectory,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const inputs = bundled.metafile.inputs
  const output = Object.values(bundled.metafile.outputs)[0]
  return Object.entries(output?.inputs ?? {}).map(([path, used]) => ({ path, format: inputs[path]?.format ?? 'none', bytesInOutput: used.bytesInOutput }))
}
