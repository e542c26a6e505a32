// Bundles a TypeScript bench (workspace packages resolved to their sources) with esbuild into a
// temporary .mjs and runs it with `node --expose-gc`, so `pnpm bench` works from a fresh clone
// after `pnpm install`, without a build.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildSync } from 'esbuild'

const entry = resolve(process.argv[2] ?? 'bench/index.bench.ts')
const outdir = mkdtempSync(join(tmpdir(), 'jwt-sync-bench-'))
const outfile = join(outdir, 'bench.mjs')
try {
  buildSync({ entryPoints: [entry], bundle: true, outfile, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], logLevel: 'error' })
  const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', outfile], { stdio: 'inherit' })
  process.exitCode = run.status ?? 1
} finally {
  rmSync(outdir, { recursive: true, force: true })
}
