// Copies Mermaid's single-file browser bundle and its licence into dist/watch/vendor at build time.
// The watch page needs only that one file, in the browser; depending on the mermaid package would
// make every CLI install pull ~150 packages (and mermaid 12 asks for Node 22 in its engines).
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const bundle = require.resolve('mermaid/dist/mermaid.min.js')
const packageRoot = dirname(require.resolve('mermaid/package.json'))
const target = new URL('../dist/watch/vendor/', import.meta.url)
mkdirSync(target, { recursive: true })
copyFileSync(bundle, new URL('mermaid.min.js', target))
copyFileSync(join(packageRoot, 'LICENSE'), new URL('mermaid.LICENSE', target))
console.log(`vendored mermaid ${require('mermaid/package.json').version} into dist/watch/vendor`)
