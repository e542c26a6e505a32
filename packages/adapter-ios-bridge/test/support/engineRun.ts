/**
 * What running a script in an engine gave: its output lines, the engine's name and version, and
 * how long the run took (wall clock, including the engine's start).
 *
 * @example
 * ```ts
 * const run: EngineRun = await runInQuickJs(script)
 * console.log(`${run.engine} ${run.version}: ${run.milliseconds} ms`)
 * ```
 */
export type EngineRun = {
  readonly engine: string
  readonly version: string
  readonly output: string
  readonly milliseconds: number
}
