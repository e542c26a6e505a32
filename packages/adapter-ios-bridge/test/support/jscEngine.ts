import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineRun } from './engineRun.js'
import { findJsc } from './jscShell.js'

/** The WebKitGTK release the `jsc` shell comes from (the shell has no version flag). */
export const jscVersion = (): string => {
  try {
    return `WebKitGTK ${execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libjavascriptcoregtk-4.0-bin'], { encoding: 'utf8' }).trim()}`
  } catch {
    return 'unknown version'
  }
}

/**
 * Runs a script in the real `jsc` shell (JavaScriptCore). Fails when the shell exits non-zero.
 *
 * @example
 * ```ts
 * const run = await runInJsc('print("hello")')
 * ```
 */
export const runInJsc = async (script: string, timeoutMs = 60_000): Promise<EngineRun> => {
  const jsc = findJsc()
  const dir = mkdtempSync(join(tmpdir(), 'jwt-sync-jsc-'))
  const file = join(dir, 'host.js')
  writeFileSync(file, script)
  const started = performance.now()
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(jsc, [file], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
        error ? reject(new Error(`jsc failed: ${String(error)}\n${err}\n${out.slice(-4000)}`)) : resolve(out),
      ),
    )
    return { engine: 'JavaScriptCore (jsc shell)', version: jscVersion(), output, milliseconds: Math.round(performance.now() - started) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
