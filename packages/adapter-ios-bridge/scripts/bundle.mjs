// Builds the JavaScriptCore / WKWebView bundle: one minified ES2020 IIFE defining `JwtSyncBridge`.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

/**
 * Sources import fp-ts as CommonJS (`fp-ts/lib/X.js`, the NodeNext convention); the bundle takes
 * the same modules from fp-ts's ES build so that unused functions are tree-shaken.
 */
const fpTsAsEsModules = {
  name: 'fp-ts-es6',
  setup(build) {
    build.onResolve({ filter: /^fp-ts\/lib\// }, (args) =>
      build.resolve(args.path.replace(/^fp-ts\/lib\//, 'fp-ts/es6/'), { kind: args.kind, resolveDir: args.resolveDir }),
    )
  },
}

/** The esbuild options of the bundle; `outfile` undefined keeps it in memory. */
export const bundleOptions = (outfile) => ({
  entryPoints: [here('../src/bundle/entry.ts')],
  bundle: true,
  format: 'iife',
  globalName: 'JwtSyncBridge',
  target: 'es2020',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['source', 'module', 'import'],
  minify: true,
  legalComments: 'none',
  // Free uses of these globals in any dependency are rewritten to the bridge's own shims.
  inject: [here('../src/bundle/ambientShims.ts')],
  plugins: [fpTsAsEsModules],
  // Feature checks for host globals (xstate's global lookup and devtools hook) become constant, so
  // the bundle does not even name a global beyond ECMAScript. Only unbound identifiers are replaced.
  define: { 'process.env.NODE_ENV': '"production"', window: 'undefined', self: 'undefined', global: 'undefined',
    'globalThis.setTimeout': 'hostSetTimeout', 'globalThis.clearTimeout': 'hostClearTimeout' },
  logLevel: 'silent',
  ...(outfile === undefined ? { write: false } : { outfile, write: true }),
})

/** Builds the bundle and returns its text and sizes in bytes. */
export const buildBundle = async (outfile) => {
  const result = await build({ ...bundleOptions(outfile), write: false })
  const file = result.outputFiles[0]
  if (file === undefined) throw new Error('esbuild produced no output')
  const text = file.text
  if (outfile !== undefined) {
    const { writeFileSync, mkdirSync } = await import('node:fs')
    const { dirname } = await import('node:path')
    mkdirSync(dirname(outfile), { recursive: true })
    writeFileSync(outfile, text)
  }
  return { text, bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text, { level: 9 }).length, warnings: result.warnings }
}
