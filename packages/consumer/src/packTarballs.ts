import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describeFailure, runCommand } from './childProcess.js'
import type { PublicPackage } from './workspacePackages.js'

/**
 * A public package packed the way `pnpm publish` would pack it.
 *
 * @example
 * ```ts
 * const packed: PackedPackage = { name: '@jwt-sync/core', version: '0.1.0', tarball: '/tmp/x/jwt-sync-core-0.1.0.tgz', files: ['dist/index.js'] }
 * ```
 */
export type PackedPackage = {
  readonly name: string
  readonly version: string
  /** Absolute path of the .tgz. */
  readonly tarball: string
  /** The paths inside the tarball (without the `package/` prefix). */
  readonly files: readonly string[]
}

const PackReportCodec = t.type({ name: t.string, version: t.string, filename: t.string, files: t.array(t.type({ path: t.string })) })

/**
 * Builds the packages with their own `build` scripts, in dependency order (`pnpm --filter ...
 * run build`), each from an empty dist/. Throws with the build's output when it fails.
 *
 * @example
 * ```ts
 * await buildPackages('/work/main', listPublicPackages('/work/main'))
 * ```
 */
export const buildPackages = async (workspaceRoot: string, packages: readonly PublicPackage[]): Promise<void> => {
  const filters = packages.flatMap((pkg) => ['--filter', pkg.name])
  const built = await runCommand('pnpm', [...filters, 'run', 'build'], { cwd: workspaceRoot, timeoutMs: 300_000 })
  if (built.code !== 0) throw new Error(describeFailure('pnpm run build', built))
}

/**
 * Packs each package with `pnpm pack` into `destination`. pnpm, not npm: it is what publishes
 * them, and only it turns `workspace:*` into versions and applies `publishConfig` (which drops
 * the workspace-only `source` export condition). Throws when a pack fails.
 *
 * @example
 * ```ts
 * const packed = await packPackages(listPublicPackages(root), mkdtempSync(join(tmpdir(), 'tarballs-')))
 * ```
 */
export const packPackages = async (packages: readonly PublicPackage[], destination: string): Promise<readonly PackedPackage[]> => {
  const packed: PackedPackage[] = []
  for (const pkg of packages) {
    const result = await runCommand('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: pkg.directory, timeoutMs: 120_000 })
    if (result.code !== 0) throw new Error(describeFailure(`pnpm pack in ${pkg.directory}`, result))
    const report = PackReportCodec.decode(JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))))
    if (E.isLeft(report)) throw new Error(`pnpm pack --json in ${pkg.directory} printed no report: ${result.stdout.slice(0, 500)}`)
    const { name, version, filename, files } = report.right
    packed.push({ name, version, tarball: filename, files: files.map((file) => file.path) })
  }
  return packed
}
