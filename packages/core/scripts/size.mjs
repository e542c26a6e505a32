// Prints the core's browser bundle size: esbuild, minified, ES2020, gzipped.
// Run: pnpm size (from the repo root) or pnpm --filter @jwt-sync/core size.
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const TARGET_GZIP_BYTES = 20 * 1024
const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
const bundle = (external) => build({
  stdin: { contents: `export { createSdk, createMemoryStorage } from ${JSON.stringify(entry)}`, resolveDir: process.cwd(), loader: 'ts' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  mainFields: ['module', 'main'],
  conditions: ['source'],
  write: false,
  metafile: true,
  external,
  plugins: [
    {
      // Source imports fp-ts's CommonJS build (`fp-ts/lib/*.js`, what Node ESM resolves); a browser
      // bundle takes the ES build of the same modules so unused functions are shaken out.
      name: 'fp-ts-es6',
      setup(b) {
        b.onResolve({ filter: /^fp-ts\/lib\// }, (args) =>
          b.resolve(args.path.replace('fp-ts/lib/', 'fp-ts/es6/'), { resolveDir: args.resolveDir, kind: args.kind }),
        )
      },
    },
  ],
})
const result = await bundle([])
// The same bundle with the three libraries left out: what this package's own code weighs.
const own = (await bundle(['xstate', 'fp-ts', 'fp-ts/*', 'io-ts'])).outputFiles[0].contents
const code = result.outputFiles[0].contents
const gzipped = gzipSync(code, { level: 9 }).length
const byPackage = {}
for (const [file, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
  const pkg = file.includes('node_modules') ? file.split('node_modules/').pop().split('/').slice(0, file.includes('@') ? 2 : 1).join('/') : '@jwt-sync/core (src)'
  byPackage[pkg] = (byPackage[pkg] ?? 0) + info.bytesInOutput
}
console.log(`core browser bundle (createSdk + memory storage, with xstate, fp-ts, io-ts):`)
console.log(`  minified: ${code.length} bytes`)
console.log(`  gzipped:  ${gzipped} bytes (target ${TARGET_GZIP_BYTES}, ratio ${(gzipped / TARGET_GZIP_BYTES).toFixed(2)})`)
console.log(`  of which the core's own code (xstate, fp-ts, io-ts external): ${own.length} bytes minified, ${gzipSync(own, { level: 9 }).length} bytes gzipped`)
console.log('  minified bytes by package:')
for (const [pkg, bytes] of Object.entries(byPackage).sort((a, b) => b[1] - a[1])) console.log(`    ${pkg.padEnd(28)} ${bytes}`)
