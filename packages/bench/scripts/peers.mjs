// `pnpm bench:peers [--n 20000] [--rounds 5] [--only a,b] [--skip-delivery] [--skip-bundle] [--update-readme]`
// Bundles the orchestrator and each driver (workspace packages from their sources; peer SDKs
// stay external, loaded from this package's node_modules as their users load them) into
// packages/bench/.build, then runs the orchestrator with the given arguments.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = `${root}.build`
rmSync(outdir, { recursive: true, force: true })
const drivers = ['jwtSyncMemory', 'jwtSyncFile', 'segment', 'posthog', 'amplitude', 'rawFetch']
await build({
  entryPoints: [`${root}src/cli.ts`, ...drivers.map((name) => `${root}src/drivers/${name}.ts`)],
  outbase: `${root}src`,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  external: ['@segment/*', 'posthog-node', '@amplitude/*', 'esbuild', 'better-sqlite3'],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
  logLevel: 'error',
})
const run = spawnSync(process.execPath, [`${outdir}/cli.mjs`, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exitCode = run.status ?? 1
