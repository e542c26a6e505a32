import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hermesBinary, hermesVersion } from '../../scripts/hermesBundle.mjs'
import type { EngineRun } from './engineRun.js'

/**
 * Runs a script in the `hermes` binary of `hermes-engine-cli`, with the microtask queue React
 * Native enables (without it, Hermes 0.12 runs promise jobs through the global `setImmediate`).
 *
 * @example
 * ```ts
 * const run = await runInHermes(await lowerForHermes(source, 'App'))
 * ```
 */
export const runInHermes = async (script: string, timeoutMs = 60_000): Promise<EngineRun> => {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-sync-hermes-'))
  const file = join(dir, 'host.js')
  writeFileSync(file, script)
  const started = performance.now()
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(hermesBinary(), ['-w', '-Xmicrotask-queue', file], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
        error ? reject(new Error(`hermes failed: ${String(error)}\n${err}\n${out.slice(-4000)}`)) : resolve(out),
      ),
    )
    return { engine: 'Hermes (hermes-engine-cli)', version: hermesVersion(), output, milliseconds: Math.round(performance.now() - started) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
