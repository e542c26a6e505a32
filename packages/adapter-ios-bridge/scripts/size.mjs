// Prints the bundle's minified and gzipped size (target: <= 30 KB gzipped).
import { fileURLToPath } from 'node:url'
import { buildBundle } from './bundle.mjs'

const outfile = fileURLToPath(new URL('../dist/jwt-sync-bridge.js', import.meta.url))
const { bytes, gzipBytes } = await buildBundle(outfile)
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
console.log(`jwt-sync-bridge.js: ${kb(bytes)} minified, ${kb(gzipBytes)} gzipped (target <= 30 KB gzipped)`)
