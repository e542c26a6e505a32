import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'

/**
 * One browser integration to size: an entry file in `browser-entries/` that initializes,
 * identifies, tracks and flushes (where the SDK has a public flush).
 *
 * @example
 * ```ts
 * const target: BundleTarget = { id: 'posthog', label: 'posthog-js', entry: '/…/browser-entries/posthog.mjs', packages: ['posthog-js'] }
 * ```
 */
export type BundleTarget = { readonly id: string; readonly label: string; readonly entry: string; readonly packages: readonly string[] }

/**
 * The initial chunk of one integration (the entry chunk plus the chunks it imports statically;
 * chunks loaded by dynamic `import()` are counted apart).
 *
 * @example
 * ```ts
 * console.log(`${size.gzipBytes} bytes gzipped`)
 * ```
 */
export type BundleSize =
  | { readonly id: string; readonly label: string; readonly ok: true; readonly minifiedBytes: number; readonly gzipBytes: number; readonly lazyChunks: number; readonly lazyGzipBytes: number; readonly minifiedBytesByPackage: Readonly<Record<string, number>> }
  | { readonly id: string; readonly label: string; readonly ok: false; readonly error: string }

// esbuild names workspace sources relative to the entry (`../core/src/...`).
const workspacePackageOf = (input: string): string => {
  const folder = /^(?:\.\.\/)+([^/]+)\//.exec(input)?.[1]
  return folder === undefined ? input : `@jwt-sync/${folder}`
}

const staticClosure = (outputs: Metafile['outputs'], start: string): Set<string> => {
  const seen = new Set<string>()
  const visit = (path: string): void => {
    if (seen.has(path)) return
    seen.add(path)
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path)
  }
  visit(start)
  return seen
}

/**
 * Bundles one integration with esbuild (minified, ES2020, browser platform, ESM with code
 * splitting so lazy chunks stay out of the initial one) and gzips its initial chunk (level 9).
 *
 * @example
 * ```ts
 * const size = await measureBundle(target)
 * ```
 */
export const measureBundle = async (target: BundleTarget): Promise<BundleSize> => {
  try {
    const result = await build({
      entryPoints: [target.entry],
      bundle: true,
      minify: true,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: 'es2020',
      // No `source` condition: each package as published (jwt-sync's `dist`; `pnpm bench` builds it).
      define: { 'process.env.NODE_ENV': '"production"' },
      outdir: '/bench-bundle-out',
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    const outputs = result.metafile.outputs
    const entryPath = Object.entries(outputs).find(([, output]) => output.entryPoint !== undefined)?.[0]
    if (entryPath === undefined) return { id: target.id, label: target.label, ok: false, error: 'esbuild produced no entry chunk' }
    const initial = staticClosure(outputs, entryPath)
    const contentsOf = (path: string): Uint8Array => result.outputFiles.find((file) => file.path.endsWith(path.replace(/^.*\//, '/')))?.contents ?? new Uint8Array()
    const jsPaths = Object.keys(outputs).filter((path) => path.endsWith('.js'))
    const initialCode = Buffer.concat([...initial].map((path) => contentsOf(path)))
    const lazy = jsPaths.filter((path) => !initial.has(path))
    const lazyGzipBytes = lazy.reduce((sum, path) => sum + gzipSync(contentsOf(path), { level: 9 }).length, 0)
    // Where the initial chunk's bytes come from, by npm package (or the workspace package's folder).
    const byPackage: Record<string, number> = {}
    for (const path of initial) {
      for (const [input, info] of Object.entries(outputs[path]?.inputs ?? {})) {
        const name = input.includes('node_modules/') ? (input.split('node_modules/').pop() ?? input).split('/').slice(0, input.split('node_modules/').pop()?.startsWith('@') === true ? 2 : 1).join('/') : workspacePackageOf(input)
        byPackage[name] = (byPackage[name] ?? 0) + info.bytesInOutput
      }
    }
    const minifiedBytesByPackage = Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1]))
    return { id: target.id, label: target.label, ok: true, minifiedBytes: initialCode.length, gzipBytes: gzipSync(initialCode, { level: 9 }).length, lazyChunks: lazy.length, lazyGzipBytes, minifiedBytesByPackage }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error)
    return { id: target.id, label: target.label, ok: false, error: message }
  }
}
