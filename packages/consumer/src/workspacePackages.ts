import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

const ManifestCodec = t.intersection([t.type({ name: t.string, version: t.string }), t.partial({ private: t.boolean })])

/**
 * A package of the workspace that is published.
 *
 * @example
 * ```ts
 * const core: PublicPackage = { name: '@jwt-sync/core', version: '0.1.0', directory: '/work/main/packages/core' }
 * ```
 */
export type PublicPackage = {
  readonly name: string
  readonly version: string
  readonly directory: string
}

/**
 * Every package under `packages/` that is not marked private, by name: the set the checks cover,
 * so a package added later is packed, linted and installed without anyone listing it here.
 * Throws when a manifest cannot be read (a broken workspace, not a finding).
 *
 * @example
 * ```ts
 * listPublicPackages('/work/main').map((p) => p.name) // ['@jwt-sync/adapter-fetch', ..., '@jwt-sync/reference-server']
 * ```
 */
export const listPublicPackages = (workspaceRoot: string): readonly PublicPackage[] => {
  const packagesDirectory = join(workspaceRoot, 'packages')
  const found: PublicPackage[] = []
  for (const entry of readdirSync(packagesDirectory, { withFileTypes: true })) {
    const directory = join(packagesDirectory, entry.name)
    const manifestPath = join(directory, 'package.json')
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue
    const manifest = ManifestCodec.decode(JSON.parse(readFileSync(manifestPath, 'utf8')))
    if (E.isLeft(manifest)) throw new Error(`${manifestPath}: no name or version`)
    if (manifest.right.private === true) continue
    found.push({ name: manifest.right.name, version: manifest.right.version, directory })
  }
  return found.sort((a, b) => a.name.localeCompare(b.name))
}
