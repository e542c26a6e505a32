// Empties the package's dist/ before `tsc` writes it: tsc never deletes the output of a source
// file that was removed or renamed, and such a stale file would otherwise be packed and published.
import { rmSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
