import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCommand, type CommandResult } from '../../src/childProcess.js'

/**
 * One TypeScript setup a consumer may have.
 *
 * @example
 * ```ts
 * const bundler: TypeScriptSetup = { name: 'bundler', compiler: tsc7, compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, files: ['readme-example.ts'] }
 * ```
 */
export type TypeScriptSetup = {
  readonly name: string
  /** The tsc to run: a path to its JS entry (run with node). */
  readonly compiler: string
  readonly compilerOptions: Readonly<Record<string, unknown>>
  readonly files: readonly string[]
}

/** What every setup shares: strict, and our .d.ts files checked too (no skipLibCheck). */
const COMMON_OPTIONS = { strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['es2022', 'dom'] }

/**
 * Writes `tsconfig.<name>.json` into the project and runs the setup's compiler on it.
 *
 * @example
 * ```ts
 * const result = await typeCheck(project.directory, setup)
 * expect(result.stdout).toBe('')
 * ```
 */
export const typeCheck = async (projectDirectory: string, setup: TypeScriptSetup): Promise<CommandResult> => {
  const config = join(projectDirectory, `tsconfig.${setup.name}.json`)
  writeFileSync(config, `${JSON.stringify({ compilerOptions: { ...COMMON_OPTIONS, ...setup.compilerOptions }, files: setup.files }, null, 2)}\n`)
  return runCommand(process.execPath, [setup.compiler, '-p', config, '--pretty', 'false'], { cwd: projectDirectory, timeoutMs: 120_000 })
}
