import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeFailure, outsideWorkspaceEnv, runCommand } from '../../src/childProcess.js'
import type { PackedPackage } from '../../src/packTarballs.js'

/**
 * A plain npm project in the system's temp folder with the tarballs installed, as an outside
 * team would have it.
 *
 * @example
 * ```ts
 * const project = await installFreshProject(packed, workspaceRoot)
 * await runCommand(project.bin('jwt-sync'), ['--version'], { cwd: project.directory, timeoutMs: 10_000 })
 * ```
 */
export type FreshProject = {
  readonly directory: string
  /** The path of an installed executable (`node_modules/.bin/<name>`). */
  readonly bin: (name: string) => string
  /** How long `npm install` took. */
  readonly installMs: number
}

const workspaceTypesNodeVersion = (workspaceRoot: string): string => {
  const manifest = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }
  const version = manifest.devDependencies?.['@types/node']
  if (version === undefined) throw new Error('the workspace root has no @types/node to match')
  return version
}

/**
 * Creates the project (ESM: `"type": "module"`) and runs `npm install` of every tarball at once,
 * so that their dependencies on each other resolve to the tarballs and the rest comes from the
 * registry (npm's cache first). Adds the workspace's @types/node, which the TypeScript checks need.
 * Throws with npm's output when the install fails.
 *
 * @example
 * ```ts
 * const project = await installFreshProject(await packPackages(packages, tarballDir), workspaceRoot)
 * ```
 */
export const installFreshProject = async (packed: readonly PackedPackage[], workspaceRoot: string): Promise<FreshProject> => {
  const directory = realpathSync(mkdtempSync(join(tmpdir(), 'jwt-sync-consumer-')))
  if (directory.startsWith(realpathSync(workspaceRoot))) throw new Error(`${directory} is inside the workspace; npm would see it`)
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify({ name: 'jwt-sync-consumer-check', private: true, type: 'module' }, null, 2)}\n`)
  const installed = await runCommand(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed.map((pkg) => pkg.tarball), `@types/node@${workspaceTypesNodeVersion(workspaceRoot)}`],
    { cwd: directory, timeoutMs: 240_000, env: outsideWorkspaceEnv() },
  )
  if (installed.code !== 0) throw new Error(describeFailure('npm install', installed))
  return { directory, bin: (name) => join(directory, 'node_modules', '.bin', name), installMs: installed.durationMs }
}
